package dev.gateway.authentication.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.gateway.authentication.dns.TxtResolver.TxtAnswer;

/**
 * Our DKIM against dkimpy (Debian's python3-dkim), both ways, on messages in memory: the end-to-end DkimIT repeats
 * this over SMTP with a DNS server.
 */
class DkimpyInteropTest {
    static final String MESSAGE = "From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: hello  there\r\n"
        + "Date: Mon, 30 Nov 2026 10:00:00 +0000\r\nMessage-ID: <1@example.org>\r\n\r\nHello Bob,\r\n\r\n  with  spaces \r\n\r\n\r\n";

    /** dkimpy's sign() has no x= parameter: this adds one, 60 s after now, to the fields it signs. */
    static final String EXPIRES_IN_60_SECONDS = "x";

    @TempDir
    Path dir;

    @Test
    void dkimpySignedRsaAndEd25519VerifyHere() throws Exception {
        for (String algorithm : List.of("rsa", "ed25519")) {
            KeyPair pair = DkimKeygen.generate(algorithm, 2048);
            String signed = dkimpySign(MESSAGE, pair, algorithm, "");
            List<DkimResult> results = verifier(DkimKeygen.record(algorithm, pair)).verify(parse(signed));
            assertThat(results).singleElement().satisfies(result -> {
                assertThat(result.result()).as(algorithm + ": " + result).isEqualTo("pass");
                assertThat(result.domain()).isEqualTo("example.org");
            });
        }
    }

    @Test
    void simpleCanonicalizationAndBrokenVariants() throws Exception {
        KeyPair pair = DkimKeygen.generate("rsa", 2048);
        String record = DkimKeygen.record("rsa", pair);
        String signed = dkimpySign(MESSAGE, pair, "rsa", "canonicalize=(b'simple', b'simple')");
        assertThat(verifier(record).verify(parse(signed))).extracting(DkimResult::result).containsExactly("pass");
        assertThat(verifier(record).verify(parse(signed.replace("Hello Bob", "Hello Eve"))))
            .extracting(DkimResult::result).containsExactly("fail");
        assertThat(verifier(record).verify(parse(signed.replace("Subject: hello", "Subject: HELLO"))))
            .extracting(DkimResult::result).containsExactly("fail");
        String otherKey = DkimKeygen.record("rsa", DkimKeygen.generate("rsa", 2048));
        assertThat(verifier(otherKey).verify(parse(signed))).extracting(DkimResult::result).containsExactly("fail");
    }

    @Test
    void whatWeSignVerifiesWithDkimpy() throws Exception {
        for (String algorithm : List.of("rsa", "ed25519")) {
            KeyPair pair = DkimKeygen.generate(algorithm, 2048);
            DkimKey key = new DkimKey("example.org", "sel", algorithm.equals("rsa") ? DkimAlgorithm.RSA_SHA256
                : DkimAlgorithm.ED25519_SHA256, pair.getPrivate());
            String field = new DkimSigner(Clock.systemUTC()).sign(parse(MESSAGE), key);
            String signed = field + MESSAGE;
            assertThat(dkimpyVerify(signed, DkimKeygen.record(algorithm, pair))).as(algorithm).isEqualTo("True");
            assertThat(dkimpyVerify(signed.replace("Hello Bob", "Hello Eve"), DkimKeygen.record(algorithm, pair)))
                .isEqualTo("False");
            assertThat(verifier(DkimKeygen.record(algorithm, pair)).verify(parse(signed)))
                .extracting(DkimResult::result).containsExactly("pass");
        }
    }

    @Test
    void expiredSignatureFailsAndLengthLimitedSignatureWithAppendedTextIsNotAPass() throws Exception {
        KeyPair pair = DkimKeygen.generate("rsa", 2048);
        String record = DkimKeygen.record("rsa", pair);
        String expiring = dkimpySign(MESSAGE, pair, "rsa", EXPIRES_IN_60_SECONDS);
        DkimVerifier later = new DkimVerifier(name -> TxtAnswer.found(List.of(record)),
            Clock.fixed(Instant.now().plusSeconds(3600), ZoneOffset.UTC));
        assertThat(later.verify(parse(expiring))).singleElement()
            .satisfies(result -> assertThat(result.resinfo()).startsWith("dkim=fail (signature expired)"));

        String limited = dkimpySign(MESSAGE, pair, "rsa", "length=True");
        assertThat(verifier(record).verify(parse(limited))).extracting(DkimResult::result).containsExactly("pass");
        assertThat(verifier(record).verify(parse(limited + "Click here: http://evil.example/\r\n")))
            .extracting(DkimResult::result).containsExactly("policy");
    }

    @Test
    void rsaSha1IsReportedButNeverPass() throws Exception {
        KeyPair pair = DkimKeygen.generate("rsa", 2048);
        String signed = dkimpySign(MESSAGE, pair, "rsa", "signature_algorithm=b'rsa-sha1'");
        assertThat(verifier(DkimKeygen.record("rsa", pair)).verify(parse(signed))).singleElement()
            .satisfies(result -> {
                assertThat(result.result()).isEqualTo("policy");
                assertThat(result.algorithm()).isEqualTo("rsa-sha1");
            });
    }

    @Test
    void lookupFailureIsTemperrorAndMissingKeyPermerror() throws Exception {
        KeyPair pair = DkimKeygen.generate("rsa", 2048);
        String signed = dkimpySign(MESSAGE, pair, "rsa", "");
        DkimVerifier failing = new DkimVerifier(name -> TxtAnswer.temporaryError("SERVFAIL"), Clock.systemUTC());
        assertThat(failing.verify(parse(signed))).extracting(DkimResult::result).containsExactly("temperror");
        DkimVerifier empty = new DkimVerifier(name -> TxtAnswer.found(List.of()), Clock.systemUTC());
        assertThat(empty.verify(parse(signed))).extracting(DkimResult::result).containsExactly("permerror");
    }

    @Test
    void hostileSignatureFieldsArePermerrorsNeverExceptions() throws Exception {
        KeyPair pair = DkimKeygen.generate("rsa", 2048);
        String signed = dkimpySign(MESSAGE, pair, "rsa", "length=True");
        String record = DkimKeygen.record("rsa", pair);
        for (String hostile : List.of(signed.replaceFirst("l=\\d+", "l=-5"), signed.replaceFirst("l=\\d+", "l=99999999999"),
            signed.replaceFirst("a=rsa-sha256", "a=rsa-md5"), signed.replaceFirst("bh=", "bh=!!"),
            signed.replaceFirst("c=relaxed/simple", "c=fancy/simple"), signed.replaceFirst("; h=", "; v=1; h="),
            "DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=sel; h=to; bh=; b=\r\n" + MESSAGE,
            "DKIM-Signature: ;;;==\r\n" + MESSAGE, "DKIM-Signature:\r\n" + MESSAGE)) {
            assertThat(verifier(record).verify(parse(hostile))).singleElement()
                .satisfies(result -> assertThat(result.result()).as(hostile).isIn("permerror", "fail"));
        }
    }

    static DkimVerifier verifier(String record) {
        return new DkimVerifier(name -> name.equals("sel._domainkey.example.org")
            ? TxtAnswer.found(List.of(record)) : TxtAnswer.found(List.of()), Clock.systemUTC());
    }

    static RawMessage parse(String message) {
        return RawMessage.parse(message.getBytes(StandardCharsets.ISO_8859_1));
    }

    String dkimpySign(String message, KeyPair pair, String algorithm, String options) throws Exception {
        Path key = dir.resolve("key-" + algorithm + ".pem");
        String pem = algorithm.equals("ed25519")
            // dkimpy takes an Ed25519 private key as the base64 of its raw 32-byte seed.
            ? Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(pair.getPrivate().getEncoded(),
                pair.getPrivate().getEncoded().length - 32, pair.getPrivate().getEncoded().length))
            : "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Files.writeString(key, pem);
        boolean expires = options.equals(EXPIRES_IN_60_SECONDS);
        String script = "import sys, time, dkim\n"
            + (expires ? "original = dkim.DKIM.gen_header\n"
                + "def with_x(self, fields, *args, **kwargs):\n"
                + "    fields.insert(-1, (b'x', str(int(time.time()) + 60).encode()))\n"
                + "    return original(self, fields, *args, **kwargs)\n"
                + "dkim.DKIM.gen_header = with_x\n" : "")
            + "msg = sys.stdin.buffer.read()\n"
            + "key = open('" + key + "', 'rb').read()\n"
            + "sig = dkim.sign(msg, b'sel', b'example.org', key, include_headers=[b'from', b'to', b'subject', b'date']"
            + (algorithm.equals("ed25519") ? ", signature_algorithm=b'ed25519-sha256'" : "")
            + (options.isEmpty() || expires ? "" : ", " + options) + ")\n"
            + "sys.stdout.buffer.write(sig + msg)\n";
        return python(script, message, Map.of());
    }

    String dkimpyVerify(String message, String record) throws Exception {
        String script = "import sys, dkim\n"
            + "msg = sys.stdin.buffer.read()\n"
            + "rec = " + pyBytes(record) + "\n"
            + "print(dkim.verify(msg, dnsfunc=lambda name, timeout=5: rec if name == b'sel._domainkey.example.org.' else None))\n";
        return python(script, message, Map.of()).strip();
    }

    static String pyBytes(String text) {
        return "b'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    static String python(String script, String stdin, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("/usr/bin/python3", "-c", script).redirectErrorStream(false);
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.ISO_8859_1));
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        byte[] err = process.getErrorStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(new String(err, StandardCharsets.UTF_8)).isZero();
        return new String(out, StandardCharsets.ISO_8859_1);
    }
}
