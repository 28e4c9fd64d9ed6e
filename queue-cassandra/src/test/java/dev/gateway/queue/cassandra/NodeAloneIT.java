package dev.gateway.queue.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.Mails;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.datastax.oss.driver.api.core.CqlSession;

import dev.gateway.testsupport.ManualClock;

import reactor.core.Disposable;

/**
 * A node alone reads a queue's slice index only at its full reads (every {@link Dequeuer#RESCAN}), not at every poll.
 * These tests hold the queue's clock still, short of the next full read, so that mail can only be found by what
 * makes that skip safe: another node's heartbeat outliving it by two polls, and the future slices the last full read
 * listed. Each test has a keyspace of its own, so that no other test's node is live in it.
 */
class NodeAloneIT {

    /** Slices of 1 s, so that a mail delayed by 3 s is in a slice later than the one of the last full read. */
    private static final QueueSettings SETTINGS = new QueueSettings(8, Duration.ofSeconds(1), Duration.ofSeconds(60),
        Duration.ofSeconds(60), Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMinutes(5),
        256 * 1024, 16 * 1024);

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    @Test
    void mailOfANodeThatEnqueuedAndLeftBetweenTwoPollsIsSeen() {
        ManualClock clock = new ManualClock(Instant.now());
        try (CqlSession session = CASSANDRA.server().session("queue_alone_left", QueueTables.MODULE)) {
            CassandraMailQueueFactory alone = factory(session, clock, "alone");
            Set<String> delivered = ConcurrentHashMap.newKeySet();
            try {
                CassandraMailQueue queue = alone.createQueue(MailQueueName.of("spool"));
                Disposable consumer = consume(queue, delivered);
                // Its own mail comes out of its first poll, which read every shard's index: what follows is new.
                enqueue(queue, "own", Duration.ZERO);
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> delivered.contains("own"));

                // Another node comes, enqueues into a slice this one has not seen and leaves, all while this node's
                // clock says that no poll is due; then it is.
                ManualClock later = new ManualClock(clock.instant().plusSeconds(2));
                CassandraMailQueueFactory passing = factory(session, later, "passing");
                enqueue(passing.createQueue(MailQueueName.of("spool")), "from-passing", Duration.ZERO);
                passing.close();
                clock.advance(Duration.ofSeconds(4));

                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> delivered.contains("from-passing"));
                consumer.dispose();
            } finally {
                alone.close();
            }
        }
    }

    @Test
    void delayedMailLeftByThePreviousRunComesOutWhenDue() {
        ManualClock clock = new ManualClock(Instant.now());
        try (CqlSession session = CASSANDRA.server().session("queue_alone_delayed", QueueTables.MODULE)) {
            CassandraMailQueueFactory before = factory(session, clock, "restarted");
            enqueue(before.createQueue(MailQueueName.of("outgoing")), "delayed", Duration.ofSeconds(3));
            before.close();

            // The same node started again (same name: its heartbeat is its own, so it is alone).
            CassandraMailQueueFactory after = factory(session, clock, "restarted");
            Set<String> delivered = ConcurrentHashMap.newKeySet();
            try {
                CassandraMailQueue queue = after.createQueue(MailQueueName.of("outgoing"));
                Disposable consumer = consume(queue, delivered);
                enqueue(queue, "own", Duration.ZERO);
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> delivered.contains("own"));
                assertThat(delivered).doesNotContain("delayed");

                clock.advance(Duration.ofSeconds(4));

                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> delivered.contains("delayed"));
                consumer.dispose();
            } finally {
                after.close();
            }
        }
    }

    private static CassandraMailQueueFactory factory(CqlSession session, Clock clock, String node) {
        return new CassandraMailQueueFactory(session, SETTINGS, clock, new RawMailQueueItemDecoratorFactory(), node);
    }

    private static void enqueue(CassandraMailQueue queue, String name, Duration delay) {
        try {
            queue.enQueue(Mails.defaultMail().name(name).build(), delay);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Disposable consume(CassandraMailQueue queue, Set<String> delivered) {
        return SucceedingConsumer.consume(queue, mail -> delivered.add(mail.getName()));
    }
}
