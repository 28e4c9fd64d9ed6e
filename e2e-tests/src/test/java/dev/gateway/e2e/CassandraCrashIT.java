package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.queue.cassandra.CassandraExtension;

import dev.gateway.testkit.GatewayProcess;

/**
 * The promise of a 250 on the shipped default (the cluster profile: queue and mailboxes in Cassandra) when
 * Cassandra crashes: it is killed with SIGKILL while several senders push mail, and started again on the same data.
 * While it is down, senders get {@code 421 4.3.0} at MAIL or RCPT (the connection then closes) or {@code 451 4.0.0} at
 * DATA, and keep their message; once it is back, every message that was answered 250 is
 * in the recipient's INBOX, at least once. Each accepted message is accounted for by its Message-ID: delivered once,
 * delivered more than once (counted, allowed: at-least-once), or missing (the failure).
 */
class CassandraCrashIT {

    private static final String USER = "crash@" + GatewayProcess.DOMAIN;
    private static final String PASSWORD = "crash-secret-1";
    /** A command whose check reads Cassandra while it is down: service not available, closing (RFC 5321, RFC 3463). */
    private static final String OUTAGE_AT_COMMAND = "421 4.3.0";
    /** The end of DATA when the queue cannot write the message: James's answer. */
    private static final String OUTAGE_AT_DATA = "451 4.0.0";

    @RegisterExtension
    @Order(1)
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    @RegisterExtension
    @Order(2)
    static final GatewayExtension GATEWAY = new GatewayExtension(USER, PASSWORD,
        () -> ClusterProfile.withoutSpam(CASSANDRA.server(), "crash"));

    @Test
    void everyMessageAnswered250IsDeliveredAfterCassandraIsKilledAndStartedAgain() throws Exception {
        // The gateway created its keyspace at start; flushed now, the kill below needs no flush before its SIGKILL.
        CASSANDRA.server().flushSchema();
        RetryingSenders traffic = RetryingSenders.start(GATEWAY, USER, 6);
        Instant killed;
        Instant restarted;
        try (traffic) {
            // Killed by the sender that got the 60th 250, at once: the writes behind it are as fresh as a crash finds them.
            traffic.onAccepted(60, CASSANDRA.server()::killNow);
            killed = Instant.now();
            traffic.awaitDeferrals(6);
            CASSANDRA.server().startAgain();
            restarted = Instant.now();
            traffic.awaitAccepted(traffic.accepted() + 30, Duration.ofMinutes(3));
        }
        System.out.printf("crash: answers %s, %d accepted; Cassandra killed, back after %d s%n", traffic.answers(),
            traffic.accepted(), Duration.between(killed, restarted).toSeconds());

        AtomicReference<Map<String, Integer>> copies = new AtomicReference<>();
        Instant sendersDone = Instant.now();
        try {
            Awaitility.await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                copies.set(traffic.copiesDelivered(PASSWORD));
                return copies.get().values().stream().allMatch(count -> count > 0);
            });
        } catch (ConditionTimeoutException e) {
            // Reported below, message by message.
        }
        Duration recovery = Duration.between(sendersDone, Instant.now());
        Map<String, Long> missing = new TreeMap<>();
        copies.get().forEach((messageId, count) -> {
            if (count == 0) {
                missing.put(messageId, Duration.between(killed, traffic.acceptedAt(messageId)).toMillis());
            }
        });
        long duplicates = copies.get().values().stream().mapToLong(count -> Math.max(0, count - 1)).sum();
        System.out.printf("crash: %d accepted, %d delivered, %d missing, %d extra copies; all in %d s after the"
                + " senders stopped; spool %d, outgoing %d, repositories %d%n", copies.get().size(),
            copies.get().values().stream().filter(count -> count > 0).count(), missing.size(), duplicates,
            recovery.toSeconds(), GATEWAY.webAdmin().queueSize("spool"), GATEWAY.webAdmin().queueSize("outgoing"),
            GATEWAY.webAdmin().allRepositoriesSize());
        assertThat(missing).as("accepted but missing (ms after the kill that each was answered 250)").isEmpty();
        assertThat(traffic.answers().keySet()).as("answers: 250 or temporary refusals only")
            .allMatch(answer -> answer.equals("250 2.6.0") || answer.startsWith("4"));
        // Exactly which refusals: a check that reads Cassandra (MAIL, RCPT) fails, 421 4.3.0 and the connection
        // closes; a queue write that fails at DATA keeps James's 451 4.0.0.
        assertThat(traffic.answers()).as("answers while Cassandra was down").containsKey(OUTAGE_AT_COMMAND);
        assertThat(traffic.answers().keySet()).as("answers")
            .isSubsetOf("250 2.6.0", OUTAGE_AT_COMMAND, OUTAGE_AT_DATA);
        // One WARN line with the cause for each 421 (the senders saw some of them; the log has them all).
        long warnings;
        try (java.util.stream.Stream<String> log = java.nio.file.Files.lines(GATEWAY.process().log())) {
            warnings = log.filter(line -> line.contains("[WARN ]") && line.contains("failed, answered 421 4.3.0")).count();
        }
        assertThat(warnings).as("WARN lines for 421 answers").isGreaterThanOrEqualTo(traffic.answers().get(OUTAGE_AT_COMMAND));
        GATEWAY.webAdmin().awaitNothingQueuedOrParked();
    }
}
