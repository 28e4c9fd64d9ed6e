package dev.gateway.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.gateway.authentication.dkim.DkimKeygen;
import dev.gateway.authentication.dkim.DkimKeys;

/**
 * The sending domain of the {@code gateway-auth} cell of bench/compare.sh, as its own DNS would publish it: a DKIM
 * key for sender.example (selector {@code bench}, RSA 2048, made with {@code dkim keygen} into DIR/keys, which
 * {@link SmtpLoad} signs with), and DIR/zone.json for the tests' authoritative DNS server
 * (e2e-tests/src/test/scripts/zone_server.py) with the key record, SPF for the envelope and HELO domains allowing
 * 127.0.0.1, and DMARC {@code p=reject}. So every message the gateway receives passes SPF, DKIM and DMARC, each looked
 * up over real DNS (then from the gateway's cache, for the records' TTL, as in production).
 *
 * <pre>java -cp gateway-bench.jar dev.gateway.bench.AuthenticationZone DIR</pre>
 */
public final class AuthenticationZone {
    static final String SENDER_DOMAIN = "sender.example";
    static final String SELECTOR = "bench";
    private static final int TTL = 3600;

    private AuthenticationZone() {
    }

    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args[0]);
        Path keys = folder.resolve("keys");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int status = DkimKeygen.run(List.of("keygen", SENDER_DOMAIN, "--selector", SELECTOR, "--keys", keys.toString()),
            new PrintStream(printed, true, StandardCharsets.UTF_8), System.err);
        if (status != 0) {
            System.exit(status);
        }
        String keyRecord = new DkimKeys(keys).keyRecord(SENDER_DOMAIN, SELECTOR).orElseThrow();
        List<Map<String, Object>> records = List.of(
            txt(SENDER_DOMAIN, "v=spf1 ip4:127.0.0.1 -all"),
            txt("load." + SENDER_DOMAIN, "v=spf1 ip4:127.0.0.1 -all"),
            txt(SELECTOR + "._domainkey." + SENDER_DOMAIN, keyRecord),
            txt("_dmarc." + SENDER_DOMAIN, "v=DMARC1; p=reject"));
        Files.writeString(folder.resolve("zone.json"), new ObjectMapper().writeValueAsString(
            Map.of("records", records, "servfail", List.of(), "silent", List.of())));
    }

    private static Map<String, Object> txt(String name, String value) {
        return Map.of("name", name, "type", "TXT", "ttl", TTL, "value", value);
    }
}
