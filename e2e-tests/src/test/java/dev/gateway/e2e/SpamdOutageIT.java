package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;


import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.SmtpSession;
import dev.gateway.testkit.Mailboxes;

/**
 * spamd goes away while mail keeps arriving, with the default failure policy (fail open): every message is
 * accepted, marked "X-Spam-Status: unchecked", and delivered; none is lost. A spamd that accepts connections and
 * never answers costs the read timeout for the first few messages only: then the circuit breaker stops asking it.
 * Each test ends with the real spamd back and scanning again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpamdOutageIT {

    private static final String PASSWORD = "spamd outage test password";
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(1);
    private static final int BREAKER_FAILURES = 3;
    private static final Duration COOL_DOWN = Duration.ofSeconds(4);

    @RegisterExtension
    static final GatewayExtension GATEWAY = GatewayExtension.withSpamd(Map.of(), "postmaster@" + GatewayProcess.DOMAIN, PASSWORD, Map.of(
        "GATEWAY_SPAMD_CONNECT_TIMEOUT", "1s",
        "GATEWAY_SPAMD_READ_TIMEOUT", READ_TIMEOUT.toMillis() + "ms",
        "GATEWAY_SPAM_BREAKER_FAILURES", String.valueOf(BREAKER_FAILURES),
        "GATEWAY_SPAM_BREAKER_COOLDOWN", COOL_DOWN.toSeconds() + "s"));

    @BeforeAll
    void setUp() throws Exception {
        GATEWAY.process().addUser(address("outage"), PASSWORD);
        GATEWAY.process().addUser(address("hang"), PASSWORD);
    }

    @Test
    void spamdStoppedMidTestFailsOpenAndEveryAcceptedMessageIsDelivered() throws Exception {
        String to = address("outage");
        List<String> accepted = new ArrayList<>();
        String before = send(to, accepted);
        assertThat(GATEWAY.spamd().scansOf(before)).isEqualTo(1);

        GATEWAY.spamd().stop();
        List<String> duringOutage = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            duringOutage.add(send(to, accepted));
        }
        GATEWAY.spamd().restart();
        String after = sendUntilScannedAgain(to, accepted);

        await().atMost(Duration.ofSeconds(30)).until(() -> GATEWAY.webAdmin().deliveredCount(to) == accepted.size());
        assertThat(GATEWAY.webAdmin().repositorySize("var/mail/quarantine")).isZero();
        Map<String, String> delivered = deliveredByMessageId(to);
        assertThat(delivered).containsOnlyKeys(accepted);
        for (String messageId : duringOutage) {
            assertThat(delivered.get(messageId)).contains("X-Spam-Status: unchecked (spamd unavailable").doesNotContain("X-Spam-Flag");
            assertThat(GATEWAY.spamd().scansOf(messageId)).isZero();
        }
        assertThat(delivered.get(before)).contains("X-Spam-Flag: NO");
        assertThat(delivered.get(after)).contains("X-Spam-Flag: NO");
    }

    @Test
    void aSpamdThatNeverAnswersCostsTheReadTimeoutUntilTheBreakerOpens() throws Exception {
        String to = address("hang");
        List<String> accepted = new ArrayList<>();
        List<String> unanswered = new ArrayList<>();
        GATEWAY.spamd().stop();
        try (HangingSpamd hanging = new HangingSpamd(GATEWAY.spamd().port())) {
            for (int i = 0; i < BREAKER_FAILURES; i++) {
                long start = System.nanoTime();
                unanswered.add(send(to, accepted));
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("message %d waits for the read timeout", i)
                    .isGreaterThanOrEqualTo(READ_TIMEOUT.minusMillis(100));
            }
            assertThat(hanging.connections()).isEqualTo(BREAKER_FAILURES);

            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                unanswered.add(send(to, accepted));
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("breaker open: no wait for spamd")
                    .isLessThan(READ_TIMEOUT.dividedBy(2));
            }
            assertThat(hanging.connections()).as("spamd not asked while the breaker is open").isEqualTo(BREAKER_FAILURES);
        }
        GATEWAY.spamd().restart();
        sendUntilScannedAgain(to, accepted);

        await().atMost(Duration.ofSeconds(30)).until(() -> GATEWAY.webAdmin().deliveredCount(to) == accepted.size());
        Map<String, String> delivered = deliveredByMessageId(to);
        assertThat(delivered).containsOnlyKeys(accepted);
        for (String messageId : unanswered) {
            assertThat(delivered.get(messageId)).contains("X-Spam-Status: unchecked (spamd unavailable");
        }
    }

    /** Sends one clean message on MX, which must be accepted; returns its Message-ID. */
    private String send(String to, List<String> accepted) throws Exception {
        String messageId = SpamMessages.newMessageId();
        try (SmtpSession smtp = SmtpSession.connect(GATEWAY.process(), GatewayProcess.Port.SMTP, GATEWAY.tls())) {
            smtp.ehlo("sender.example");
            assertThat(smtp.send("carol@sender.example", SpamMessages.clean(messageId, to, "outage " + accepted.size()), to))
                .startsWith("250");
        }
        accepted.add(messageId);
        return messageId;
    }

    /** After the cool-down the breaker lets one message try spamd again: keeps sending until one is scanned. */
    private String sendUntilScannedAgain(String to, List<String> accepted) {
        List<String> scanned = new ArrayList<>();
        await().atMost(COOL_DOWN.multipliedBy(4)).pollInterval(Duration.ofMillis(500)).until(() -> {
            String messageId = send(to, accepted);
            if (GATEWAY.spamd().scansOf(messageId) == 1) {
                scanned.add(messageId);
                return true;
            }
            return false;
        });
        return scanned.get(0);
    }

    private Map<String, String> deliveredByMessageId(String user) throws Exception {
        Map<String, String> byId = new HashMap<>();
        for (String raw : Mailboxes.inbox(GATEWAY.process(), GATEWAY.tls(), user, PASSWORD)) {
            String headers = Mailboxes.headers(raw);
            java.util.regex.Matcher id = java.util.regex.Pattern.compile("Message-ID: <([^>]+)>").matcher(headers);
            assertThat(id.find()).isTrue();
            byId.put(id.group(1), headers);
        }
        return byId;
    }

    private static String address(String user) {
        return user + "@" + GatewayProcess.DOMAIN;
    }
}
