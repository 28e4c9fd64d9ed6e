package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.SmtpSession;
import dev.gateway.testkit.Mailboxes;

/**
 * Spam thresholds per recipient domain and address (GATEWAY_SPAM_THRESHOLDS_FILE) with a real spamd and the real
 * server: one message to recipients with different thresholds is scanned once, each recipient's copy goes where its
 * own thresholds say (INBOX or quarantine), and it is refused at DATA only when every recipient's reject threshold
 * is reached. Listener thresholds: tag 2, quarantine 100, reject 500; the advance-fee message scores about 19, GTUBE
 * 999.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpamThresholdsIT {

    private static final String PASSWORD = "spam thresholds test password";
    private static final String QUARANTINE = "var/mail/quarantine";
    private static final String STRICT = "strict.test";
    private static final String ADVANCE_FEE_SENDER = "mike.williams@lottery-winners.example";
    private static final Path THRESHOLDS = writeThresholds("""
        <thresholds>
            <domain name="strict.test" quarantine="10"/>
            <user address="exempt@strict.test" quarantine="off"/>
            <user address="gtube-fan@example.test" quarantine="off" reject="off"/>
        </thresholds>
        """);

    @RegisterExtension
    static final GatewayExtension GATEWAY = GatewayExtension.withSpamd(Map.of(), "postmaster@" + GatewayProcess.DOMAIN, PASSWORD, Map.of(
        "GATEWAY_SPAM_TAG_THRESHOLD", "2.0",
        "GATEWAY_SPAM_QUARANTINE_THRESHOLD", "100",
        "GATEWAY_SPAM_REJECT_THRESHOLD", "500",
        "GATEWAY_SPAM_THRESHOLDS_FILE", THRESHOLDS.toString()));

    @BeforeAll
    void setUp() throws Exception {
        GATEWAY.process().launcher(Duration.ofSeconds(30), "add-domain", STRICT);
        for (String user : List.of("relaxed@example.test", "strict@strict.test", "exempt@strict.test", "colleague@strict.test",
                "gtube-fan@example.test", "victim@example.test", "one@example.test", "two@strict.test")) {
            GATEWAY.process().addUser(user, PASSWORD);
        }
    }

    @AfterAll
    void removeThresholdsFile() throws IOException {
        Files.deleteIfExists(THRESHOLDS);
    }

    @Test
    void aStricterDomainGetsItsCopyQuarantinedWhileTheDefaultDomainGetsItInTheInbox() throws Exception {
        String messageId = SpamMessages.newMessageId();

        String headers = Mailboxes.headers(sendExpecting(messageId, ADVANCE_FEE_SENDER, SpamMessages.advanceFee(messageId),
            "relaxed@example.test", "strict@strict.test"));

        assertThat(headers).contains("X-Spam-Score: ")
            .contains("X-Spam-Flag: YES").containsPattern("X-Spam-Status: Yes, score=\\d+\\.\\d required=2\\.0 verdict=per-recipient ");
        assertThat(headers.split("X-Spam-Flag:", -1)).as("exactly one X-Spam-Flag").hasSize(2);
    }

    @Test
    void anAddressOverrideBeatsItsDomainOverride() throws Exception {
        String messageId = SpamMessages.newMessageId();

        String delivered = sendExpecting(messageId, ADVANCE_FEE_SENDER, SpamMessages.advanceFee(messageId),
            "exempt@strict.test", "colleague@strict.test");

        assertThat(Mailboxes.headers(delivered)).contains("X-Spam-Flag: YES").contains("verdict=per-recipient");
    }

    @Test
    void aMessageOverOneRecipientsRejectThresholdOnlyIsAcceptedAndThatRecipientsCopyQuarantined() throws Exception {
        String messageId = SpamMessages.newMessageId();

        String delivered = sendExpecting(messageId, "spammer@sender.example", SpamMessages.gtube(messageId, "gtube-fan@example.test"),
            "gtube-fan@example.test", "victim@example.test");

        assertThat(delivered).contains(SpamMessages.GTUBE).contains("X-Spam-Flag: YES");
        await().atMost(Duration.ofSeconds(30)).until(() -> GATEWAY.webAdmin().queueSize("spool") == 0);
        assertThat(GATEWAY.webAdmin().queueSize("outgoing")).as("no bounce is ever sent").isZero();
    }

    /**
     * Sends one message to two recipients on the MX and holds that it was accepted, scanned once, and split: a copy
     * for {@code quarantined} alone in the quarantine, nothing in that recipient's INBOX, and the message in
     * {@code delivered}'s INBOX, which is returned raw.
     */
    private static String sendExpecting(String messageId, String from, String message, String delivered, String quarantined)
            throws Exception {
        try (SmtpSession smtp = mx()) {
            assertThat(smtp.send(from, message, delivered, quarantined)).startsWith("250");
        }

        assertThat(recipients(awaitQuarantined(messageId))).containsExactly(quarantined);
        await().atMost(Duration.ofSeconds(30)).until(() -> GATEWAY.webAdmin().deliveredCount(delivered) == 1);
        assertThat(GATEWAY.webAdmin().deliveredCount(quarantined)).isZero();
        String raw = Mailboxes.inbox(GATEWAY.process(), GATEWAY.tls(), delivered, PASSWORD).get(0);
        assertThat(raw).contains("Message-ID: <" + messageId + ">");
        assertThat(GATEWAY.spamd().scansOf(messageId)).as("one scan for both recipients").isEqualTo(1);
        return raw;
    }

    @Test
    void aMessageOverEveryRecipientsRejectThresholdIsRefusedAtDataAndGoesNowhere() throws Exception {
        String one = "one@example.test";
        String two = "two@strict.test";
        String messageId = SpamMessages.newMessageId();
        long repositoriesBefore = GATEWAY.webAdmin().allRepositoriesSize();

        try (SmtpSession smtp = mx()) {
            assertThat(smtp.send("spammer@sender.example", SpamMessages.gtube(messageId, one), one, two)).startsWith("550 5.7.1");
            // A clean message to both on the same connection is accepted and serves as a barrier.
            assertThat(smtp.send("carol@sender.example", SpamMessages.clean(SpamMessages.newMessageId(), one, "after"), one, two))
                .startsWith("250");
        }

        for (String recipient : List.of(one, two)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> GATEWAY.webAdmin().deliveredCount(recipient) == 1);
            assertThat(Mailboxes.inbox(GATEWAY.process(), GATEWAY.tls(), recipient, PASSWORD)).singleElement()
                .satisfies(raw -> assertThat(raw).doesNotContain(SpamMessages.GTUBE).contains("Subject: after"));
        }
        assertThat(GATEWAY.spamd().scansOf(messageId)).isEqualTo(1);
        assertThat(GATEWAY.webAdmin().queueSize("spool")).isZero();
        assertThat(GATEWAY.webAdmin().queueSize("outgoing")).as("no bounce is ever sent").isZero();
        assertThat(GATEWAY.webAdmin().allRepositoriesSize()).isEqualTo(repositoriesBefore);
    }

    /** Waits for the quarantine to hold the message with this Message-ID, and returns WebAdmin's view of it. */
    private static JsonNode awaitQuarantined(String messageId) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (String key : GATEWAY.webAdmin().repositoryKeys(QUARANTINE)) {
                if (GATEWAY.webAdmin().repositoryMessage(QUARANTINE, key).contains("Message-ID: <" + messageId + ">")) {
                    return GATEWAY.webAdmin().repositoryMail(QUARANTINE, key);
                }
            }
            return null;
        }, mail -> mail != null);
    }

    private static List<String> recipients(JsonNode mail) {
        List<String> recipients = new ArrayList<>();
        mail.get("recipients").forEach(recipient -> recipients.add(recipient.asText()));
        return recipients;
    }

    private static SmtpSession mx() throws Exception {
        SmtpSession smtp = SmtpSession.connect(GATEWAY.process(), GatewayProcess.Port.SMTP, GATEWAY.tls());
        smtp.ehlo("sender.example");
        return smtp;
    }

    private static Path writeThresholds(String xml) {
        try {
            Path file = Files.createTempFile("gateway-spam-thresholds-", ".xml");
            return Files.writeString(file, xml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
