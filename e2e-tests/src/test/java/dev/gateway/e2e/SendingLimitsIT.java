package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.SmtpSession;
import dev.gateway.testkit.RawConnection;

/**
 * Per-user sending limits (SendingRateLimit) and the connection-level limits (recipients per message, message
 * size, connections per client address), with small limits so the test reaches them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SendingLimitsIT {

    private static final String PASSWORD = "a password";
    private static final String INBOX_OWNER = "inbox@" + GatewayProcess.DOMAIN;
    private static final Duration WINDOW = Duration.ofSeconds(5);
    private static final int MAX_MESSAGES = 3;
    private static final int MAX_RECIPIENTS = 4;
    private static final int MAX_RECIPIENTS_PER_MESSAGE = 5;
    private static final int CONNECTIONS_PER_ADDRESS = 4;

    @RegisterExtension
    static final GatewayExtension GATEWAY = new GatewayExtension(INBOX_OWNER, PASSWORD, Map.of(
        "GATEWAY_RATE_MAX_MESSAGES", String.valueOf(MAX_MESSAGES),
        "GATEWAY_RATE_MAX_RECIPIENTS", String.valueOf(MAX_RECIPIENTS),
        "GATEWAY_RATE_WINDOW", WINDOW.toSeconds() + "s",
        "GATEWAY_MAX_RECIPIENTS", String.valueOf(MAX_RECIPIENTS_PER_MESSAGE),
        "GATEWAY_MAX_MESSAGE_SIZE", "64K",
        "GATEWAY_SMTP_CONNECTION_LIMIT_PER_IP", String.valueOf(CONNECTIONS_PER_ADDRESS),
        "GATEWAY_SPAM_ENABLED", "false"));

    @BeforeAll
    void setUp() throws Exception {
        for (String user : new String[] {"sender", "bulk", "big"}) {
            GATEWAY.process().addUser(user + "@" + GatewayProcess.DOMAIN, PASSWORD);
        }
    }

    @Test
    void messageRateLimitRefusesWith450ThenResetsAfterTheWindow() throws Exception {
        String sender = "sender@" + GatewayProcess.DOMAIN;
        long before = GATEWAY.webAdmin().inboxCount(INBOX_OWNER);
        try (SmtpSession smtp = authenticated(sender)) {
            for (int i = 0; i < MAX_MESSAGES; i++) {
                assertThat(smtp.send(sender, SmtpSession.message(sender, INBOX_OWNER, "rate " + i), INBOX_OWNER)).startsWith("250");
            }
            assertThat(smtp.command("MAIL FROM:<" + sender + ">")).startsWith("450 4.7.1 Message rate limit exceeded");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> GATEWAY.webAdmin().inboxCount(INBOX_OWNER) == before + MAX_MESSAGES);

        await().atMost(WINDOW.multipliedBy(4)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            try (SmtpSession smtp = authenticated(sender)) {
                assertThat(smtp.command("MAIL FROM:<" + sender + ">")).startsWith("250");
            }
        });
    }

    @Test
    void recipientRateLimitRefusesWith452AtRcpt() throws Exception {
        String bulk = "bulk@" + GatewayProcess.DOMAIN;
        try (SmtpSession smtp = authenticated(bulk)) {
            assertThat(smtp.command("MAIL FROM:<" + bulk + ">")).startsWith("250");
            List<String> replies = new ArrayList<>();
            for (int i = 0; i <= MAX_RECIPIENTS; i++) {
                replies.add(smtp.command("RCPT TO:<" + INBOX_OWNER + ">"));
            }
            assertThat(replies.subList(0, MAX_RECIPIENTS)).allSatisfy(reply -> assertThat(reply).startsWith("250"));
            assertThat(replies.get(MAX_RECIPIENTS)).startsWith("452 4.7.1 Recipient rate limit exceeded");
        }
    }

    @Test
    void tooManyRecipientsInOneMessageAreRefusedWith452() throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(GATEWAY.process(), GatewayProcess.Port.SMTP, GATEWAY.tls())) {
            smtp.ehlo("client.example");
            smtp.command("MAIL FROM:<someone@remote.example>");
            for (int i = 0; i < MAX_RECIPIENTS_PER_MESSAGE; i++) {
                assertThat(smtp.command("RCPT TO:<" + INBOX_OWNER + ">")).startsWith("250");
            }
            assertThat(smtp.command("RCPT TO:<" + INBOX_OWNER + ">")).startsWith("452 4.5.3");
        }
    }

    @Test
    void sizeIsAnnouncedAndOversizedMailIsRefusedWith552() throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(GATEWAY.process(), GatewayProcess.Port.SMTP, GATEWAY.tls())) {
            assertThat(smtp.ehlo("client.example")).contains("SIZE 65536");
            assertThat(smtp.command("MAIL FROM:<someone@remote.example> SIZE=1000000")).startsWith("552 5.3.4");

            assertThat(smtp.command("MAIL FROM:<someone@remote.example>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<" + INBOX_OWNER + ">")).startsWith("250");
            String body = "x".repeat(998) + "\r\n";
            String reply = smtp.data(SmtpSession.message("someone@remote.example", INBOX_OWNER, "too big") + body.repeat(100));
            assertThat(reply).startsWith("552 5.3.4");
        }
    }

    @Test
    void connectionsPerAddressAreCapped() throws Exception {
        List<SmtpSession> open = new ArrayList<>();
        try {
            for (int i = 0; i < CONNECTIONS_PER_ADDRESS; i++) {
                SmtpSession smtp = SmtpSession.connect(GATEWAY.process(), GatewayProcess.Port.SMTP, GATEWAY.tls());
                open.add(smtp);
                assertThat(smtp.replyCode()).isEqualTo(220);
            }
            assertTurnedAway();
        } finally {
            for (SmtpSession smtp : open) {
                smtp.close();
            }
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            try (SmtpSession smtp = SmtpSession.connect(GATEWAY.process(), GatewayProcess.Port.SMTP, GATEWAY.tls())) {
                assertThat(smtp.replyCode()).isEqualTo(220);
            }
        });
    }

    /**
     * The connection beyond the limit is turned away the way James's per-address limit does it: accepted, then closed
     * cleanly before any greeting (or after a {@code 421}). A refused connect, a reset, a greeting or a connection
     * left open fail the test: they are other faults, not this refusal.
     */
    private void assertTurnedAway() throws Exception {
        try (RawConnection extra = RawConnection.open(GATEWAY.process(), GatewayProcess.Port.SMTP)) {
            String received = extra.readUntilClosed(Duration.ofSeconds(20));
            assertThat(extra.closeError()).as("how the server closed the connection").isEmpty();
            assertThat(received).as("what the server sent before closing")
                .satisfiesAnyOf(said -> assertThat(said).isEmpty(), said -> assertThat(said).startsWith("421 "));
        }
    }

    private SmtpSession authenticated(String user) throws Exception {
        return SmtpSession.authenticatedSubmission(GATEWAY.process(), GATEWAY.tls(), user, PASSWORD);
    }
}
