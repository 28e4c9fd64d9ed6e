package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;


import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.Mailboxes;
import dev.gateway.testkit.SmtpSession;

/**
 * The fail-closed policy (GATEWAY_SPAM_ON_FAILURE=tempfail): while spamd is down every message is answered
 * {@code 451 4.7.1} and nothing is queued; the sender keeps it and retries, and once spamd is back (and the circuit
 * breaker's cool-down over) the same message is scanned and delivered.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpamdFailClosedIT {

    private static final String PASSWORD = "fail closed test password";
    private static final Duration COOL_DOWN = Duration.ofSeconds(3);

    @RegisterExtension
    static final GatewayExtension GATEWAY = GatewayExtension.withSpamd(Map.of(), "postmaster@" + GatewayProcess.DOMAIN, PASSWORD, Map.of(
        "GATEWAY_SPAM_ON_FAILURE", "tempfail",
        "GATEWAY_SPAMD_CONNECT_TIMEOUT", "1s",
        "GATEWAY_SPAMD_READ_TIMEOUT", "1s",
        "GATEWAY_SPAM_BREAKER_FAILURES", "2",
        "GATEWAY_SPAM_BREAKER_COOLDOWN", COOL_DOWN.toSeconds() + "s"));

    @BeforeAll
    void setUp() throws Exception {
        GATEWAY.process().addUser(address("closed"), PASSWORD);
    }

    @Test
    void whileSpamdIsDownMailIsDeferredNotQueuedThenDeliveredOnRetry() throws Exception {
        String to = address("closed");
        String first = SpamMessages.newMessageId();
        assertThat(send(first, to)).startsWith("250");
        await().atMost(Duration.ofSeconds(30)).until(() -> GATEWAY.webAdmin().deliveredCount(to) == 1);

        GATEWAY.spamd().stop();
        String deferred = SpamMessages.newMessageId();
        // Refused connections first, then the open breaker: the same answer either way.
        for (int attempt = 0; attempt < 4; attempt++) {
            assertThat(send(deferred, to)).startsWith("451 4.7.1");
        }
        assertThat(GATEWAY.webAdmin().queueSize("spool")).isZero();
        assertThat(GATEWAY.webAdmin().queueSize("outgoing")).isZero();
        assertThat(GATEWAY.webAdmin().allRepositoriesSize()).isZero();

        // spamd stopped mid-learn: its restart must not make every scan wait for a dead child's Bayes lock.
        GATEWAY.spamd().leaveLockOfAChildKilledWhileLearning();
        GATEWAY.spamd().restart();
        // The sending server retries the same message until it is accepted.
        await().atMost(COOL_DOWN.multipliedBy(4)).pollInterval(Duration.ofMillis(500))
            .until(() -> send(deferred, to).startsWith("250"));

        await().atMost(Duration.ofSeconds(30)).until(() -> GATEWAY.webAdmin().deliveredCount(to) == 2);
        // The accepted retry is delivered and nothing is left in transit: had any deferred attempt been kept, it
        // would be here as a second copy.
        GATEWAY.webAdmin().awaitNothingQueuedOrParked();
        assertThat(GATEWAY.webAdmin().deliveredCount(to)).as("each deferred attempt delivered nothing").isEqualTo(2);
        assertThat(GATEWAY.spamd().scansOf(deferred)).isEqualTo(1);
        List<String> inbox = Mailboxes.inbox(GATEWAY.process(), GATEWAY.tls(), to, PASSWORD);
        assertThat(inbox).filteredOn(raw -> raw.contains("Message-ID: <" + deferred + ">")).singleElement()
            .satisfies(raw -> assertThat(Mailboxes.headers(raw)).contains("X-Spam-Flag: NO").doesNotContain("unchecked"));
    }

    /**
     * The same outage with mail flowing: several senders, each behaving like a sending server (a message answered
     * 4xx is retried until accepted), keep sending while spamd is stopped and started again. Every answer is 250
     * or {@code 451 4.7.1}, never a permanent refusal, and every message answered 250 is delivered exactly once.
     */
    @Test
    void underTrafficAnOutageOnlyDefersAndEveryAcceptedMessageIsDelivered() throws Exception {
        String to = address("traffic");
        GATEWAY.process().addUser(to, PASSWORD);
        RetryingSenders traffic = RetryingSenders.start(GATEWAY, to, 3);
        try (traffic) {
            traffic.awaitAccepted(3);
            GATEWAY.spamd().stop();
            traffic.awaitAnswers("451 4.7.1", 6);
            GATEWAY.spamd().restart();
            traffic.awaitAccepted(traffic.accepted() + 3);
        }
        traffic.assertOnlyDeferredAndEveryAcceptedMessageDelivered(PASSWORD, "451 4.7.1");
    }

    private String send(String messageId, String to) throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(GATEWAY.process(), GatewayProcess.Port.SMTP, GATEWAY.tls())) {
            smtp.ehlo("sender.example");
            return smtp.send("carol@sender.example", SpamMessages.clean(messageId, to, "deferred or not"), to);
        }
    }

    private static String address(String user) {
        return user + "@" + GatewayProcess.DOMAIN;
    }
}
