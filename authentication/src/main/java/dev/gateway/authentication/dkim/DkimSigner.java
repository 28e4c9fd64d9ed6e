package dev.gateway.authentication.dkim;

import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * Signs a message with relaxed/relaxed canonicalization (RFC 6376). The fields that matter are oversigned: each is
 * listed in h= once more than it appears, so that nobody can add another instance after signing.
 */
public final class DkimSigner {
    /** The fields signed when present, in this order. */
    static final List<String> SIGNED = List.of("from", "sender", "reply-to", "subject", "date", "message-id", "to",
        "cc", "mime-version", "content-type", "content-transfer-encoding", "content-id", "content-description",
        "in-reply-to", "references", "list-id", "list-help", "list-unsubscribe", "list-unsubscribe-post",
        "list-subscribe", "list-post", "list-owner", "list-archive");
    /** The fields oversigned: a second From or Subject added in transit would otherwise still verify. */
    static final Set<String> OVERSIGNED = Set.of("from", "sender", "reply-to", "subject", "date", "message-id", "to",
        "cc", "mime-version", "content-type", "content-transfer-encoding", "list-unsubscribe", "list-unsubscribe-post");
    private static final int LINE = 76;

    private final Clock clock;

    public DkimSigner(Clock clock) {
        this.clock = clock;
    }

    /** The DKIM-Signature field for this message, ending in CRLF, to put on top of it. */
    public String sign(RawMessage message, DkimKey key) throws GeneralSecurityException {
        Canonicalization form = Canonicalization.RELAXED;
        DkimAlgorithm algorithm = key.algorithm();
        String bodyHash = Base64.getEncoder().encodeToString(algorithm.digest(message.body(form)));
        List<String> names = new ArrayList<>();
        for (String name : SIGNED) {
            int present = message.headers(name).size();
            int listed = OVERSIGNED.contains(name) ? present + 1 : present;
            for (int i = 0; i < listed; i++) {
                names.add(name);
            }
        }
        String unsigned = "DKIM-Signature: v=1; a=" + algorithm.tag() + "; c=relaxed/relaxed; d=" + key.domain()
            + "; s=" + key.selector() + ";\r\n\tt=" + clock.instant().getEpochSecond() + "; h="
            + fold(String.join(":", names), ":") + ";\r\n\tbh=" + bodyHash + ";\r\n\tb=";

        // The same bytes a verifier hashes: this field's b= is empty already.
        byte[] data = DkimVerifier.headerData(message, RawMessage.HeaderField.of(unsigned + "\r\n"), names, form);
        byte[] signature = algorithm.sign(key.privateKey(), data);
        return unsigned + fold(Base64.getEncoder().encodeToString(signature), null) + "\r\n";
    }

    /** Folds a long value into lines of at most LINE characters, breaking after a separator or anywhere. */
    private static String fold(String value, String separator) {
        StringBuilder folded = new StringBuilder();
        int lineLength = 8;
        int start = 0;
        while (start < value.length()) {
            int end = Math.min(value.length(), start + LINE - lineLength);
            if (separator != null && end < value.length()) {
                int cut = value.lastIndexOf(separator, end - 1);
                end = cut > start ? cut + 1 : end;
            }
            if (start > 0) {
                folded.append("\r\n\t");
            }
            folded.append(value, start, end);
            start = end;
            lineLength = 1;
        }
        return folded.toString();
    }
}
