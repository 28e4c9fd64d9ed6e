package dev.gateway.authentication.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.gateway.authentication.dns.TxtResolver.TxtAnswer;

class DkimKeygenTest {
    @TempDir
    Path keys;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int keygen(String... args) throws Exception {
        List<String> all = new java.util.ArrayList<>(List.of("keygen"));
        all.addAll(List.of(args));
        all.addAll(List.of("--keys", keys.toString()));
        return DkimKeygen.run(all, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void writesAPrivateKeyOnlyItsOwnerReadsAndPrintsTheRecordThatSignsWithIt() throws Exception {
        assertThat(keygen("Example.COM", "--selector", "s1")).isZero();
        Path pem = keys.resolve("example.com/s1.pem");
        assertThat(Files.getPosixFilePermissions(pem)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        String printed = out.toString(StandardCharsets.UTF_8).strip();
        assertThat(printed).startsWith("s1._domainkey.example.com. IN TXT ( \"v=DKIM1; k=rsa; p=");
        assertThat(Files.readString(keys.resolve("example.com/s1.txt")).strip()).isEqualTo(printed);

        // The key the keys folder hands the signer verifies against the printed record.
        DkimKey key = new DkimKeys(keys).signingKey("example.com").orElseThrow();
        String record = String.join("", printed.replaceAll("^[^(]*\\( ", "").replaceAll(" \\)$", "")
            .replaceAll("\" \"", "").replace("\"", ""));
        String signed = new DkimSigner(Clock.systemUTC()).sign(DkimpyInteropTest.parse(DkimpyInteropTest.MESSAGE), key)
            + DkimpyInteropTest.MESSAGE;
        DkimVerifier verifier = new DkimVerifier(name -> name.equals("s1._domainkey.example.com")
            ? TxtAnswer.found(List.of(record))
            : TxtAnswer.found(List.of()), Clock.systemUTC());
        assertThat(verifier.verify(DkimpyInteropTest.parse(signed))).singleElement().satisfies(result -> {
            assertThat(result.result()).isEqualTo("pass");
            assertThat(result.domain()).isEqualTo("example.com");
            assertThat(result.selector()).isEqualTo("s1");
        });
    }

    @Test
    void ed25519RecordsCarryTheRawKey() throws Exception {
        assertThat(keygen("example.com", "--selector", "ed", "--algorithm", "ed25519")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).matches("(?s)ed\\._domainkey\\.example\\.com\\. IN TXT \"v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}=\"\\s*");
    }

    @Test
    void refusesToOverwriteAKeyAndBadArguments() throws Exception {
        assertThat(keygen("example.com", "--selector", "s1")).isZero();
        assertThat(keygen("example.com", "--selector", "s1")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("exists; choose another --selector");
        assertThat(keygen("example.com", "--selector", "bad selector")).isEqualTo(2);
        assertThat(keygen("example.com", "--algorithm", "dsa")).isEqualTo(2);
        assertThat(keygen("example.com", "--bits", "512")).isEqualTo(2);
        assertThat(keygen("not a domain")).isEqualTo(2);
        assertThat(keygen()).isEqualTo(2);
    }
}
