package dev.gateway.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import dev.gateway.authentication.dkim.DkimAlgorithm;
import dev.gateway.authentication.dkim.DkimKey;
import dev.gateway.authentication.dkim.DkimResult;
import dev.gateway.authentication.dkim.DkimSigner;
import dev.gateway.authentication.dkim.DkimVerifier;
import dev.gateway.authentication.dkim.RawMessage;
import dev.gateway.authentication.dns.TxtResolver.TxtAnswer;

/**
 * CPU time per message of DKIM signing and verifying (docs/authentication.md), RSA-2048 and Ed25519, for a small and
 * a larger message, measured on one thread with ThreadMXBean after a warm-up. DNS is left out (the key record is
 * answered from memory): a real lookup costs a network round trip once per key and TTL, not CPU per message.
 *
 *   AuthenticationCost [ITERATIONS]        default 2000
 */
public final class AuthenticationCost {

    private AuthenticationCost() {
    }

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        System.out.printf("%-34s %10s %10s%n", "operation (CPU per message)", "2 KB", "50 KB");
        for (String algorithm : List.of("rsa", "ed25519")) {
            KeyPair pair = generate(algorithm);
            DkimKey key = new DkimKey("bench.example", "s1", algorithm.equals("rsa") ? DkimAlgorithm.RSA_SHA256
                : DkimAlgorithm.ED25519_SHA256, pair.getPrivate());
            DkimVerifier verifier = new DkimVerifier(name -> TxtAnswer.found(List.of(record(algorithm, pair))),
                Clock.systemUTC());
            DkimSigner signer = new DkimSigner(Clock.systemUTC());
            double[] sign = new double[2];
            double[] verify = new double[2];
            int column = 0;
            for (int size : new int[] {2 * 1024, 50 * 1024}) {
                byte[] message = message(size);
                RawMessage raw = RawMessage.parse(message);
                byte[] signed = (signer.sign(raw, key) + new String(message, StandardCharsets.ISO_8859_1))
                    .getBytes(StandardCharsets.ISO_8859_1);
                if (!verifier.verify(RawMessage.parse(signed)).stream().allMatch(DkimResult::pass)) {
                    throw new IllegalStateException("the benchmark's own signature does not verify");
                }
                for (int round = 0; round < 2; round++) {
                    long start = threads.getCurrentThreadCpuTime();
                    for (int i = 0; i < iterations; i++) {
                        signer.sign(RawMessage.parse(message), key);
                    }
                    sign[column] = (threads.getCurrentThreadCpuTime() - start) / 1e6 / iterations;
                    start = threads.getCurrentThreadCpuTime();
                    for (int i = 0; i < iterations; i++) {
                        verifier.verify(RawMessage.parse(signed));
                    }
                    verify[column] = (threads.getCurrentThreadCpuTime() - start) / 1e6 / iterations;
                }
                column++;
            }
            String tag = key.algorithm().tag();
            System.out.printf("%-34s %8.3f ms %7.3f ms%n", "sign " + tag, sign[0], sign[1]);
            System.out.printf("%-34s %8.3f ms %7.3f ms%n", "verify " + tag, verify[0], verify[1]);
        }
    }

    private static byte[] message(int size) {
        StringBuilder text = new StringBuilder("From: Alice <alice@bench.example>\r\nTo: bob@other.example\r\n"
            + "Subject: benchmark\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\nMessage-ID: <1@bench.example>\r\n"
            + "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n");
        while (text.length() < size) {
            text.append("Lorem ipsum dolor sit amet,  consectetur adipiscing elit, sed do eiusmod tempor. \r\n");
        }
        return text.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static KeyPair generate(String algorithm) throws Exception {
        if (algorithm.equals("ed25519")) {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        }
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static String record(String algorithm, KeyPair pair) {
        byte[] encoded = pair.getPublic().getEncoded();
        byte[] p = algorithm.equals("ed25519") ? Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length) : encoded;
        return "v=DKIM1; k=" + algorithm + "; p=" + Base64.getEncoder().encodeToString(p);
    }
}
