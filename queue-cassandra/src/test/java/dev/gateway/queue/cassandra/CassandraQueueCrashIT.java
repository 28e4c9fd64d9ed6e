package dev.gateway.queue.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.Mails;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.datastax.oss.driver.api.core.CqlSession;

/**
 * What the gateway promises with a 250 rests on this: a mail whose enqueue returned is still in the queue after
 * Cassandra is killed with SIGKILL and started again. Eight threads enqueue as fast as Cassandra acknowledges; the
 * thread whose enqueue returns after the 300th kills Cassandra at once, so the acknowledged writes behind it are as
 * fresh as a crash finds them. After the restart every acknowledged mail must be in the queue.
 *
 * <p>With {@code commitlog_sync: periodic} (Cassandra's default) this fails: the replay stops at the last sync marker,
 * written every 100 ms, and the writes acknowledged after it are gone (docs/storage-cassandra.md, durability).
 */
class CassandraQueueCrashIT {

    private static final int KILL_AFTER = 300;

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    @Test
    void everyAcknowledgedEnqueueSurvivesAKillOfCassandra() throws Exception {
        CqlSession session = CASSANDRA.server().session("queue_crash", QueueTables.MODULE);
        // Before the traffic: the kill below comes right after an acknowledgement, with nothing in between.
        CASSANDRA.server().flushSchema();
        CassandraMailQueueFactory factory = new CassandraMailQueueFactory(session, QueueSettings.DEFAULT, Clock.systemUTC(),
            new RawMailQueueItemDecoratorFactory());
        try {
            CassandraMailQueue queue = factory.createQueue(MailQueueName.of("crash"));
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicInteger names = new AtomicInteger();
            AtomicBoolean killed = new AtomicBoolean();
            CountDownLatch down = new CountDownLatch(1);
            ExecutorService enqueuers = Executors.newFixedThreadPool(8);
            for (int i = 0; i < 8; i++) {
                enqueuers.submit(() -> {
                    while (!killed.get() || down.getCount() > 0) {
                        String name = "mail-" + names.incrementAndGet();
                        try {
                            queue.enQueue(Mails.defaultMail().name(name).build());
                        } catch (Exception e) {
                            // Cassandra is gone: what was acknowledged so far is what must survive.
                            return null;
                        }
                        acknowledged.add(name);
                        if (acknowledged.size() >= KILL_AFTER && killed.compareAndSet(false, true)) {
                            CASSANDRA.server().killNow();
                            down.countDown();
                        }
                    }
                    return null;
                });
            }
            assertThat(down.await(3, TimeUnit.MINUTES)).as("Cassandra killed after %d enqueues", KILL_AFTER).isTrue();
            enqueuers.shutdown();
            assertThat(enqueuers.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
            CASSANDRA.server().startAgain();

            Set<String> present = new HashSet<>();
            Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .untilAsserted(() -> {
                    Set<String> names1 = new HashSet<>();
                    queue.browse().forEachRemaining(item -> names1.add(item.getMail().getName()));
                    present.clear();
                    present.addAll(names1);
                });
            Set<String> lost = new HashSet<>(acknowledged);
            lost.removeAll(present);
            System.out.printf("queue crash: %d enqueues acknowledged before the kill, %d in the queue after the restart,"
                + " %d lost%n", acknowledged.size(), present.size(), lost.size());
            assertThat(lost).as("acknowledged enqueues missing after the restart").isEmpty();
        } finally {
            factory.close();
            session.close();
        }
    }
}
