package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;


import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.Mailboxes;
import dev.gateway.testkit.SmtpSession;

/**
 * The spam filter with a real spamd (bin/spamd) and the real server: GTUBE refused at DATA, spam between the
 * quarantine and reject thresholds quarantined and released through WebAdmin, clean mail delivered with its
 * score, one scan per message whatever its recipients, no scan for authenticated submission or oversized mail,
 * long mail judged on its first scanSize bytes.
 * Each test writes to recipients of its own.
 * {@link SpamFilterIT} runs these on the memory profile, {@link SpamFilterClusterIT} on the shipped default, the
 * cluster profile (the quarantine repository and the queues in Cassandra).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SpamFilterScenarios {

    static final String PASSWORD = "spam filter test password";
    private static final String QUARANTINE = "var/mail/quarantine";
    private static final double QUARANTINE_AT = 3.0;
    // GTUBE scores 1000 in spamc, 999 through the gateway (ALL_TRUSTED: relayed by the loopback client).
    private static final double REJECT_AT = 500.0;
    private static final Pattern SCORE = Pattern.compile("(?m)^X-Spam-Score: (-?\\d+\\.\\d)\\r?$");

    /** The thresholds and sizes these tests are written for, on either profile. */
    static Map<String, String> spamSettings() {
        return Map.of(
            "GATEWAY_SPAM_TAG_THRESHOLD", "2.0",
            "GATEWAY_SPAM_QUARANTINE_THRESHOLD", String.valueOf(QUARANTINE_AT),
            "GATEWAY_SPAM_REJECT_THRESHOLD", String.valueOf(REJECT_AT),
            "GATEWAY_SPAM_MAX_MESSAGE_SIZE", "20K",
            "GATEWAY_SPAM_SCAN_SIZE", "4K");
    }

    /** The one gateway of the concrete class, started once for all its tests. */
    abstract GatewayExtension gateway();

    @BeforeAll
    void setUp() throws Exception {
        for (String user : List.of("gtube", "quarantined", "clean", "team1", "team2", "team3", "colleague", "big", "long")) {
            gateway().process().addUser(user + "@" + GatewayProcess.DOMAIN, PASSWORD);
        }
    }

    @Test
    void gtubeIsRefusedAtDataOnMxAndGoesNowhere() throws Exception {
        String to = address("gtube");
        String messageId = SpamMessages.newMessageId();
        long repositoriesBefore = gateway().webAdmin().allRepositoriesSize();

        try (SmtpSession smtp = mx()) {
            assertThat(smtp.send("spammer@sender.example", SpamMessages.gtube(messageId, to), to)).startsWith("550 5.7.1");
            // The session goes on: a clean message on the same connection is accepted and serves as a barrier.
            assertThat(smtp.send("carol@sender.example", SpamMessages.clean(SpamMessages.newMessageId(), to, "after"), to))
                .startsWith("250");
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> gateway().webAdmin().deliveredCount(to) == 1);
        assertThat(gateway().spamd().scansOf(messageId)).as("refused because spamd scored it").isEqualTo(1);
        assertThat(Mailboxes.inbox(gateway().process(), gateway().tls(), to, PASSWORD)).singleElement()
            .satisfies(raw -> assertThat(raw).doesNotContain(SpamMessages.GTUBE).contains("Subject: after"));
        assertThat(gateway().webAdmin().queueSize("spool")).isZero();
        assertThat(gateway().webAdmin().queueSize("outgoing")).as("no bounce is ever sent").isZero();
        assertThat(gateway().webAdmin().allRepositoriesSize()).isEqualTo(repositoriesBefore);
    }

    @Test
    void spamBetweenQuarantineAndRejectIsQuarantinedThenReleasedThroughWebAdmin() throws Exception {
        String to = address("quarantined");
        String messageId = SpamMessages.newMessageId();

        try (SmtpSession smtp = mx()) {
            assertThat(smtp.send("mike.williams@lottery-winners.example", SpamMessages.advanceFee(messageId), to))
                .startsWith("250");
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> gateway().webAdmin().repositorySize(QUARANTINE) == 1);
        assertThat(gateway().webAdmin().deliveredCount(to)).isZero();
        String key = gateway().webAdmin().repositoryKeys(QUARANTINE).get(0);
        String quarantined = Mailboxes.headers(gateway().webAdmin().repositoryMessage(QUARANTINE, key));
        double score = score(quarantined);
        System.out.println("advance-fee message scored " + score + " through the gateway");
        assertThat(score).isBetween(QUARANTINE_AT, REJECT_AT);
        assertThat(quarantined).contains("X-Spam-Flag: YES").contains("verdict=quarantine").contains("Message-ID: <" + messageId + ">");
        assertThat(gateway().spamd().scansOf(messageId)).isEqualTo(1);

        assertThat(gateway().webAdmin().reprocessAll(QUARANTINE, "spam-release")).isEqualTo("completed");

        await().atMost(Duration.ofSeconds(30)).until(() -> gateway().webAdmin().deliveredCount(to) == 1);
        assertThat(gateway().webAdmin().repositorySize(QUARANTINE)).isZero();
        assertThat(Mailboxes.inbox(gateway().process(), gateway().tls(), to, PASSWORD)).singleElement()
            .satisfies(raw -> assertThat(Mailboxes.headers(raw)).contains("X-Spam-Flag: YES").contains("Message-ID: <" + messageId + ">"));
        assertThat(gateway().spamd().scansOf(messageId)).as("released mail is not scanned again").isEqualTo(1);
    }

    @Test
    void cleanMessageArrivesWithItsScoreHeadersAndForgedOnesRemoved() throws Exception {
        String to = address("clean");
        String messageId = SpamMessages.newMessageId();
        String forged = SpamMessages.clean(messageId, to, "quarterly figures")
            .replace("Subject:", "X-Spam-Flag: NO\r\nX-Spam-Status: No, score=-100 forged\r\nSubject:");

        try (SmtpSession smtp = mx()) {
            assertThat(smtp.send("carol@sender.example", forged, to)).startsWith("250");
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> gateway().webAdmin().deliveredCount(to) == 1);
        String headers = Mailboxes.headers(Mailboxes.inbox(gateway().process(), gateway().tls(), to, PASSWORD).get(0));
        assertThat(headers).contains("X-Spam-Flag: NO").containsPattern("X-Spam-Status: No, score=-?\\d+\\.\\d required=2\\.0 verdict=clean tests=");
        assertThat(score(headers)).isLessThan(2.0);
        assertThat(headers).doesNotContain("forged");
        assertThat(headers.split("X-Spam-Flag:", -1)).as("exactly one X-Spam-Flag").hasSize(2);
        assertThat(gateway().spamd().scansOf(messageId)).isEqualTo(1);
    }

    @Test
    void aMessageForSeveralRecipientsIsScannedOnce() throws Exception {
        List<String> team = List.of(address("team1"), address("team2"), address("team3"));
        String messageId = SpamMessages.newMessageId();

        try (SmtpSession smtp = mx()) {
            assertThat(smtp.send("carol@sender.example", SpamMessages.clean(messageId, String.join(", ", team), "team meeting"),
                team.toArray(String[]::new))).startsWith("250");
        }

        for (String member : team) {
            await().atMost(Duration.ofSeconds(30)).until(() -> gateway().webAdmin().deliveredCount(member) == 1);
            assertThat(Mailboxes.headers(Mailboxes.inbox(gateway().process(), gateway().tls(), member, PASSWORD).get(0))).contains("X-Spam-Score: ");
        }
        assertThat(gateway().spamd().scansOf(messageId)).isEqualTo(1);
    }

    @Test
    void authenticatedSubmissionIsNotScanned() throws Exception {
        String to = address("colleague");
        String messageId = SpamMessages.newMessageId();

        try (SmtpSession smtp = SmtpSession.connect(gateway().process(), GatewayProcess.Port.SUBMISSION, gateway().tls())) {
            smtp.ehlo("client.example");
            smtp.startTls("client.example");
            assertThat(smtp.authPlain("postmaster@" + GatewayProcess.DOMAIN, PASSWORD)).startsWith("235");
            // Written by the user themselves: SenderMatchesLogin would refuse someone else's From: on submission.
            String ownGtube = SpamMessages.gtube(messageId, to)
                .replace("From: spammer@sender.example", "From: postmaster@" + GatewayProcess.DOMAIN);
            assertThat(smtp.send("postmaster@" + GatewayProcess.DOMAIN, ownGtube, to)).startsWith("250");
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> gateway().webAdmin().deliveredCount(to) == 1);
        assertThat(Mailboxes.headers(Mailboxes.inbox(gateway().process(), gateway().tls(), to, PASSWORD).get(0))).doesNotContain("X-Spam-");
        assertThat(gateway().spamd().scansOf(messageId)).isZero();
    }

    @Test
    void aMessageLargerThanTheScanLimitIsAcceptedUnchecked() throws Exception {
        String to = address("big");
        String messageId = SpamMessages.newMessageId();
        String big = SpamMessages.gtube(messageId, to) + "padding line to make the message large\r\n".repeat(600);

        try (SmtpSession smtp = mx()) {
            assertThat(smtp.send("spammer@sender.example", big, to)).startsWith("250");
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> gateway().webAdmin().deliveredCount(to) == 1);
        String headers = Mailboxes.headers(Mailboxes.inbox(gateway().process(), gateway().tls(), to, PASSWORD).get(0));
        assertThat(headers).contains("X-Spam-Status: unchecked (larger than the 20480 byte scan limit)").doesNotContain("X-Spam-Flag");
        assertThat(gateway().spamd().scansOf(messageId)).isZero();
    }

    /**
     * spamd sees the first scanSize bytes (4K here): GTUBE there is refused; the same GTUBE after 8 KB of text is
     * past the cut and not judged (the documented trade-off), though the message was scanned.
     */
    @Test
    void aMessageLongerThanTheScanSizeIsJudgedOnItsFirstPartOnly() throws Exception {
        String to = address("long");
        String padding = "a line of ordinary text, long enough to add up to several kilobytes\r\n".repeat(120);
        String early = SpamMessages.newMessageId();
        String late = SpamMessages.newMessageId();
        String gtubeEarly = SpamMessages.gtube(early, to) + padding;
        String gtube = SpamMessages.gtube(late, to);
        int bodyStart = gtube.indexOf("\r\n\r\n") + 4;
        String gtubeLate = gtube.substring(0, bodyStart) + padding + gtube.substring(bodyStart);
        assertThat(gtubeLate.indexOf(SpamMessages.GTUBE)).isGreaterThan(4096);

        try (SmtpSession smtp = mx()) {
            assertThat(smtp.send("spammer@sender.example", gtubeEarly, to)).startsWith("550 5.7.1");
            assertThat(smtp.send("spammer@sender.example", gtubeLate, to)).startsWith("250");
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> gateway().webAdmin().deliveredCount(to) == 1);
        String headers = Mailboxes.headers(Mailboxes.inbox(gateway().process(), gateway().tls(), to, PASSWORD).get(0));
        assertThat(headers).contains("Message-ID: <" + late + ">").contains("X-Spam-Flag: NO").doesNotContain("unchecked");
        assertThat(gateway().spamd().scansOf(late)).as("scanned, on its first part").isEqualTo(1);
    }

    private SmtpSession mx() throws Exception {
        SmtpSession smtp = SmtpSession.connect(gateway().process(), GatewayProcess.Port.SMTP, gateway().tls());
        smtp.ehlo("sender.example");
        return smtp;
    }

    private double score(String headers) {
        Matcher matcher = SCORE.matcher(headers);
        assertThat(matcher.find()).as("an X-Spam-Score header in:\n%s", headers).isTrue();
        return Double.parseDouble(matcher.group(1));
    }

    private String address(String user) {
        return user + "@" + GatewayProcess.DOMAIN;
    }
}
