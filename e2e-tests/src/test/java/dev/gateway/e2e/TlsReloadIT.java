package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.gateway.testkit.GatewayProcess;

/**
 * A certificate replaced on disk is served to the next TLS client without a restart (docs/operations.md#tls): the
 * server looks at its certificate files every second here, and once the renewed pair has settled every listener serves
 * it, on implicit TLS and after STARTTLS (SMTP and ManageSieve); a file that cannot be read changes nothing; {@code bin/gateway tls reload}
 * asks at once, and says so when it cannot. Clients trust exactly one certificate, so a handshake proves which one was served.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsReloadIT {

    private static final String ALICE = "alice@" + GatewayProcess.DOMAIN;

    private GatewayProcess gateway;

    @BeforeAll
    void start() throws Exception {
        gateway = GatewayProcess.start(ALICE, "tls reload test password",
            Map.of("GATEWAY_SPAM_ENABLED", "false", "GATEWAY_TLS_RELOAD_CHECK", "1s"));
    }

    @AfterAll
    void stop() throws Exception {
        GatewayProcess.closeAll(gateway);
    }

    @Test
    void aRenewedCertificateIsServedWithoutARestartAndAnUnreadableOneChangesNothing() throws Exception {
        SSLContext first = gateway.trustingServerCertificate();
        Certificate firstCertificate = certificate(gateway.home().resolve("var/tls/gateway.crt"));
        assertThat(servedCertificates(first)).as("before the renewal").allSatisfy(served -> assertThat(served).isEqualTo(firstCertificate));

        renew("renewed-once.test");
        SSLContext renewed = gateway.trustingServerCertificate();
        Certificate renewedCertificate = certificate(gateway.home().resolve("var/tls/gateway.crt"));
        assertThat(renewedCertificate).isNotEqualTo(firstCertificate);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> reloads() == 1);
        assertThat(servedCertificates(renewed)).as("after the renewal, with no restart")
            .allSatisfy(served -> assertThat(served).isEqualTo(renewedCertificate));
        assertThatThrownBy(() -> servedCertificates(first)).as("the old certificate is no longer served")
            .isInstanceOf(SSLHandshakeException.class);

        // A broken certificate file: each listener refuses it and keeps serving the renewed one.
        Files.writeString(gateway.home().resolve("var/tls/gateway.crt"), "-----BEGIN CERTIFICATE-----\nnot base64\n");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> logCount("not reloaded, it keeps the previous one") > 0);
        assertThat(servedCertificates(renewed)).allSatisfy(served -> assertThat(served).isEqualTo(renewedCertificate));

        // The launcher's command asks at once, through WebAdmin; it says so when the files cannot be read.
        assertThatThrownBy(() -> gateway.launcher(Duration.ofSeconds(60), "tls", "reload"))
            .hasMessageContaining("exited 1").hasMessageContaining("/servers?reload-certificate answered HTTP");
        assertThatThrownBy(() -> gateway.launcher(Duration.ofSeconds(60), "tls", "reload", "--port", "x"))
            .hasMessageContaining("exited 2").hasMessageContaining("usage: bin/gateway tls reload [--port N]");
        renew("renewed-twice.test");
        int imaps = gateway.port(GatewayProcess.Port.IMAPS);
        assertThat(gateway.launcher(Duration.ofSeconds(60), "tls", "reload", "--port", String.valueOf(imaps)))
            .contains("TLS certificate reloaded on port " + imaps);
        assertThat(implicitTls(gateway.trustingServerCertificate(), GatewayProcess.Port.IMAPS))
            .isEqualTo(certificate(gateway.home().resolve("var/tls/gateway.crt")));
    }


    /**
     * The certificates served on SMTPS, IMAPS, POP3S, after STARTTLS on the MX port and after STARTTLS on ManageSieve,
     * to a client trusting {@code trust}.
     */
    private List<Certificate> servedCertificates(SSLContext trust) throws IOException {
        return List.of(
            implicitTls(trust, GatewayProcess.Port.SMTPS),
            implicitTls(trust, GatewayProcess.Port.IMAPS),
            implicitTls(trust, GatewayProcess.Port.POP3S),
            smtpStartTls(trust, GatewayProcess.Port.SMTP),
            manageSieveStartTls(trust));
    }

    private Certificate implicitTls(SSLContext trust, GatewayProcess.Port port) throws IOException {
        try (SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", gateway.port(port))) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            return socket.getSession().getPeerCertificates()[0];
        }
    }

    private Certificate smtpStartTls(SSLContext trust, GatewayProcess.Port port) throws IOException {
        try (Socket plain = new Socket("127.0.0.1", gateway.port(port))) {
            plain.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(plain.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = plain.getOutputStream();
            assertThat(reply(in)).startsWith("220");
            out.write("EHLO client.test\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(reply(in)).startsWith("250");
            out.write("STARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(reply(in)).startsWith("220");
            try (SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket(plain, "127.0.0.1", plain.getPort(), true)) {
                socket.startHandshake();
                return socket.getSession().getPeerCertificates()[0];
            }
        }
    }

    /** ManageSieve (RFC 5804): capabilities ending in {@code OK}, then {@code STARTTLS} answered {@code OK}. */
    private Certificate manageSieveStartTls(SSLContext trust) throws IOException {
        try (Socket plain = new Socket("127.0.0.1", gateway.port(GatewayProcess.Port.MANAGESIEVE))) {
            plain.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(plain.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(manageSieveCapabilities(in)).contains("\"STARTTLS\"");
            plain.getOutputStream().write("STARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(in.readLine()).startsWith("OK");
            try (SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket(plain, "127.0.0.1", plain.getPort(), true)) {
                socket.startHandshake();
                return socket.getSession().getPeerCertificates()[0];
            }
        }
    }

    /** The capability lines of a ManageSieve greeting, up to its closing {@code OK}. */
    private static List<String> manageSieveCapabilities(BufferedReader in) throws IOException {
        List<String> lines = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null && !line.startsWith("OK")) {
            lines.add(line);
        }
        if (line == null) {
            throw new IOException("connection closed before the greeting's OK");
        }
        return lines;
    }

    /** The last line of a (multi-line) SMTP reply. */
    private static String reply(BufferedReader in) throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed");
            }
        } while (line.length() > 3 && line.charAt(3) == '-');
        return line;
    }

    /** A new key and certificate, written next to the old ones and moved over them: key first, as a renewal may. */
    private void renew(String name) throws Exception {
        Path tls = gateway.home().resolve("var/tls");
        Path key = tls.resolve("new.key");
        Path certificate = tls.resolve("new.crt");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2",
            "-keyout", key.toString(), "-out", certificate.toString(), "-subj", "/CN=" + name,
            "-addext", "subjectAltName=DNS:" + name + ",IP:127.0.0.1").redirectErrorStream(true).start();
        String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(openssl.waitFor()).as(output).isZero();
        Files.move(key, tls.resolve("gateway.key"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(certificate, tls.resolve("gateway.crt"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static Certificate certificate(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private long reloads() throws IOException {
        return logCount("TLS certificate reloaded from");
    }

    private long logCount(String needle) throws IOException {
        try (var lines = Files.lines(gateway.log())) {
            return lines.filter(line -> line.contains(needle)).count();
        }
    }
}
