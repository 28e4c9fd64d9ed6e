package dev.gateway.authentication;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.gateway.authentication.dkim.RawMessage;

class AuthenticationResultsTest {

    @Test
    void fieldsClaimingOurAuthservIdAreRecognisedWhateverTheirCaseCommentsOrVersion() {
        RawMessage message = RawMessage.parse(("Authentication-Results: MX.Example.COM; dkim=pass\r\n"
            + "authentication-results: (forged) mx.example.com 1;\r\n\tspf=pass\r\n"
            + "Authentication-Results: mx.example.com.evil; dkim=pass\r\n"
            + "Authentication-Results: other.example; mx.example.com=pass\r\n"
            + "X-Authentication-Results: mx.example.com; dkim=pass\r\n"
            + "Subject: hi\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(message.headers().stream().filter(field -> AuthenticationResults.claims(field, "mx.example.com")))
            .extracting(RawMessage.HeaderField::raw)
            .containsExactly("Authentication-Results: MX.Example.COM; dkim=pass\r\n",
                "authentication-results: (forged) mx.example.com 1;\r\n\tspf=pass\r\n");
    }

    @Test
    void ourFieldHasOneClauseALineOrNone() {
        assertThat(AuthenticationResults.field("mx.example.com", List.of())).isEqualTo("Authentication-Results: mx.example.com; none\r\n");
        String field = AuthenticationResults.field("mx.example.com", List.of("spf=pass smtp.mailfrom=a.example", "dkim=none"));
        assertThat(field).isEqualTo("Authentication-Results: mx.example.com;\r\n\tspf=pass smtp.mailfrom=a.example;\r\n\tdkim=none\r\n");
        assertThat(AuthenticationResults.value(field)).isEqualTo("mx.example.com; spf=pass smtp.mailfrom=a.example; dkim=none");
    }

    @Test
    void rewritingKeepsEveryOtherByte() {
        String original = "Received: from x\r\n\tby y\r\nAuthentication-Results: mx.example.com; dkim=pass\r\nSubject:  two  spaces \r\n\r\nbody  \r\n\r\n";
        RawMessage message = RawMessage.parse(original.getBytes(StandardCharsets.ISO_8859_1));
        byte[] rewritten = message.rewrite(List.of("Authentication-Results: mx.example.com; none\r\n"),
            field -> AuthenticationResults.claims(field, "mx.example.com"));
        assertThat(new String(rewritten, StandardCharsets.ISO_8859_1)).isEqualTo("Authentication-Results: mx.example.com; none\r\n"
            + "Received: from x\r\n\tby y\r\nSubject:  two  spaces \r\n\r\nbody  \r\n\r\n");
    }
}
