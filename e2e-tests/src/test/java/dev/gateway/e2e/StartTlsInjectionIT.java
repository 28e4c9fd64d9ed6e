package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.Mailboxes;
import dev.gateway.testkit.RawConnection;

/**
 * STARTTLS command injection (CVE-2011-0411 and its IMAP/POP3 cousins): commands a man in the middle appends to
 * STARTTLS or STLS in the same packet, in clear text, must never run once TLS is up. The gateway drops such a
 * connection; a client that does STARTTLS properly still gets its encrypted session.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StartTlsInjectionIT {

    private static final String PASSWORD = "starttls injection test password";
    private static final String USER = "tls@" + GatewayProcess.DOMAIN;
    /** Receives the one test's legitimate message; nothing may reach {@link #USER}. */
    private static final String PARTNER = "partner@" + GatewayProcess.DOMAIN;
    private static final Duration CLOSE_WITHIN = Duration.ofSeconds(20);

    @RegisterExtension
    static final GatewayExtension GATEWAY = new GatewayExtension("postmaster@" + GatewayProcess.DOMAIN, PASSWORD,
        Map.of("GATEWAY_SPAM_ENABLED", "false"));

    @BeforeAll
    void setUp() throws Exception {
        GATEWAY.process().addUser(USER, PASSWORD);
        GATEWAY.process().addUser(PARTNER, PASSWORD);
    }

    @Test
    void smtpTransactionPipelinedBehindStartTlsIsNeverRun() throws Exception {
        try (RawConnection smtp = RawConnection.open(GATEWAY.process(), GatewayProcess.Port.SMTP)) {
            greet(smtp);
            assertTransactionBehindStartTlsRefused(smtp);
        }
        assertNothingDelivered();
    }

    /**
     * James 3.8.1 turned the check off for good at the first DATA of a connection, even a refused one: a man in the
     * middle sent {@code DATA} first, swallowed its {@code 503}, and then appended commands to the client's STARTTLS.
     */
    @Test
    void smtpTransactionPipelinedBehindStartTlsAfterARefusedDataIsNeverRun() throws Exception {
        try (RawConnection smtp = RawConnection.open(GATEWAY.process(), GatewayProcess.Port.SMTP)) {
            greet(smtp);
            assertThat(exchange(smtp, "DATA\r\n")).startsWith("503");
            assertTransactionBehindStartTlsRefused(smtp);
        }
        assertNothingDelivered();
    }

    /** After a whole message, the check is on again: STARTTLS may follow a transaction. */
    @Test
    void smtpTransactionPipelinedBehindStartTlsAfterADeliveredMessageIsNeverRun() throws Exception {
        String subject = "legitimate " + java.util.UUID.randomUUID();
        try (RawConnection smtp = RawConnection.open(GATEWAY.process(), GatewayProcess.Port.SMTP)) {
            greet(smtp);
            assertThat(exchange(smtp, "MAIL FROM:<partner@sender.example>\r\n")).startsWith("250");
            assertThat(exchange(smtp, "RCPT TO:<" + PARTNER + ">\r\n")).startsWith("250");
            assertThat(exchange(smtp, "DATA\r\n")).startsWith("354");
            assertThat(exchange(smtp, "Subject: " + subject + "\r\n\r\nhello\r\n.\r\n")).startsWith("250");
            assertTransactionBehindStartTlsRefused(smtp);
        }
        // The legitimate message is the marker: once it is in the INBOX and nothing is queued, the count is final.
        await().atMost(Duration.ofSeconds(30)).until(() -> Mailboxes.inbox(GATEWAY.process(), GATEWAY.tls(), PARTNER,
            PASSWORD).stream().anyMatch(raw -> raw.contains("Subject: " + subject + "\r\n")));
        assertNothingDelivered();
    }

    @Test
    void smtpAuthPipelinedBehindStartTlsOnSubmissionIsNeverRun() throws Exception {
        try (RawConnection smtp = RawConnection.open(GATEWAY.process(), GatewayProcess.Port.SUBMISSION)) {
            greet(smtp);
            smtp.send("STARTTLS\r\nAUTH PLAIN " + plainToken() + "\r\n");
            assertThat(afterInjection(smtp, "(?m)^220 ")).doesNotContain("235")
                .contains("421 4.7.0 Commands sent with STARTTLS before the TLS handshake are refused");
            assertThat(smtp.closedByServer()).as("closed by the server").isTrue();
        }
    }

    @Test
    void clearTextSentInsteadOfTheTlsHandshakeIsNeverRun() throws Exception {
        try (RawConnection smtp = RawConnection.open(GATEWAY.process(), GatewayProcess.Port.SMTP)) {
            greet(smtp);
            assertThat(exchange(smtp, "STARTTLS\r\n")).startsWith("220");
            smtp.send("MAIL FROM:<attacker@sender.example>\r\nRCPT TO:<" + USER + ">\r\n");
            assertThat(smtp.readUntilClosed(CLOSE_WITHIN)).doesNotContain("250");
        }
        assertNothingDelivered();
    }

    @Test
    void imapLoginPipelinedBehindStartTlsIsNeverRun() throws Exception {
        try (RawConnection imap = RawConnection.open(GATEWAY.process(), GatewayProcess.Port.IMAP)) {
            imap.lineStartingWith("* OK");
            imap.send("a1 STARTTLS\r\na2 LOGIN " + USER + " \"" + PASSWORD + "\"\r\na3 SELECT INBOX\r\n");
            assertThat(afterInjection(imap, "(?m)^a1 OK")).doesNotContain("a2 OK").doesNotContain("a3 OK");
        }
    }

    @Test
    void pop3LoginPipelinedBehindStlsIsNeverRun() throws Exception {
        try (RawConnection pop3 = RawConnection.open(GATEWAY.process(), GatewayProcess.Port.POP3)) {
            pop3.lineStartingWith("+OK");
            pop3.send("STLS\r\nUSER " + USER + "\r\nPASS " + PASSWORD + "\r\nSTAT\r\n");
            assertThat(afterInjection(pop3, "(?m)^\\+OK")).doesNotContain("+OK Welcome").doesNotContain("messages");
        }
    }

    @Test
    void aProperStartTlsStillWorksOnEveryProtocol() throws Exception {
        try (RawConnection smtp = RawConnection.open(GATEWAY.process(), GatewayProcess.Port.SUBMISSION)) {
            greet(smtp);
            assertThat(exchange(smtp, "STARTTLS\r\n")).startsWith("220");
            smtp.startTls(GATEWAY.tls());
            smtp.send("EHLO client.example\r\n");
            assertThat(smtp.smtpReply()).contains("AUTH");
            assertThat(exchange(smtp, "AUTH PLAIN " + plainToken() + "\r\n")).startsWith("235");
        }
        try (RawConnection imap = RawConnection.open(GATEWAY.process(), GatewayProcess.Port.IMAP)) {
            imap.lineStartingWith("* OK");
            imap.send("a1 STARTTLS\r\n");
            assertThat(imap.lineStartingWith("a1 ")).contains("a1 OK");
            imap.startTls(GATEWAY.tls());
            imap.send("a2 LOGIN " + USER + " \"" + PASSWORD + "\"\r\n");
            assertThat(imap.lineStartingWith("a2 ")).contains("a2 OK");
        }
        try (RawConnection pop3 = RawConnection.open(GATEWAY.process(), GatewayProcess.Port.POP3)) {
            pop3.lineStartingWith("+OK");
            pop3.send("STLS\r\n");
            assertThat(pop3.lineStartingWith("+OK")).isNotEmpty();
            pop3.startTls(GATEWAY.tls());
            pop3.send("USER " + USER + "\r\n");
            pop3.lineStartingWith("+OK");
            pop3.send("PASS " + PASSWORD + "\r\n");
            assertThat(pop3.lineStartingWith("+OK Welcome")).isNotEmpty();
        }
    }

    private static String exchange(RawConnection smtp, String command) throws Exception {
        smtp.send(command);
        return smtp.smtpReply();
    }

    private static void greet(RawConnection smtp) throws Exception {
        smtp.smtpReply();
        smtp.send("EHLO client.example\r\n");
        smtp.smtpReply();
    }

    /**
     * Sends STARTTLS with a whole transaction behind it in the same packet: refused with a reply of its own, and
     * closed (afterInjection reads until the server closes).
     */
    private static void assertTransactionBehindStartTlsRefused(RawConnection smtp) throws Exception {
        smtp.send("STARTTLS\r\nMAIL FROM:<attacker@sender.example>\r\nRCPT TO:<" + USER + ">\r\nDATA\r\n"
            + "Subject: injected\r\n\r\ninjected\r\n.\r\n");
        assertThat(afterInjection(smtp, "(?m)^220 ")).doesNotContain("250").doesNotContain("354")
            .contains("421 4.7.0 Commands sent with STARTTLS before the TLS handshake are refused");
        assertThat(smtp.closedByServer()).as("closed by the server").isTrue();
    }

    /**
     * What the server answers to an injection, in clear and, if it went ahead with TLS, over TLS too: a server with
     * the flaw answers the injected commands only once the handshake is done, so the test does the handshake.
     */
    private static String afterInjection(RawConnection connection, String goAhead) throws Exception {
        String clear = connection.drain(Duration.ofSeconds(3));
        if (connection.closedByServer() || !java.util.regex.Pattern.compile(goAhead).matcher(clear).find()) {
            return clear + connection.readUntilClosed(CLOSE_WITHIN);
        }
        connection.startTls(GATEWAY.tls());
        return clear + connection.drain(Duration.ofSeconds(3));
    }

    private static String plainToken() {
        return Base64.getEncoder().encodeToString(("\0" + USER + "\0" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    private static void assertNothingDelivered() throws Exception {
        GATEWAY.webAdmin().awaitNothingQueuedOrParked();
        assertThat(GATEWAY.webAdmin().deliveredCount(USER)).isZero();
    }
}
