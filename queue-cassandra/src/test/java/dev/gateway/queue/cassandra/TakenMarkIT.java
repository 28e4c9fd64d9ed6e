package dev.gateway.queue.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.Mails;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * The {@code taken} mark of a mail written for a worker that waits for it (the usual case on a node that keeps up) is
 * part of the mail's own row, not a write of its own; a mail enqueued while every worker is busy is marked when it is
 * taken, as before. Writes are counted by Cassandra itself ({@code system_views.local_write_latency}), for the mail
 * table only: a mail costs its row and its delete, and its mark only when it waited.
 */
class TakenMarkIT {

    private static final int MAILS = 20;

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    @Test
    void aMailForAWaitingWorkerIsWrittenMarkedAndNotMarkedAgain() throws Exception {
        try (CqlSession session = CASSANDRA.server().session("queue_taken_waiting", QueueTables.MODULE)) {
            CassandraMailQueueFactory factory = factory(session);
            Set<String> delivered = ConcurrentHashMap.newKeySet();
            try {
                CassandraMailQueue queue = factory.createQueue(MailQueueName.of("spool"));
                Disposable workers = workers(queue, delivered, Mono.empty());
                enqueueAndAwait(queue, "first", delivered);
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> queue.getSize() == 0);

                long before = mailTableWrites(session, "queue_taken_waiting");
                for (int i = 0; i < MAILS; i++) {
                    enqueueAndAwait(queue, "mail-" + i, delivered);
                }
                // The last delete is not waited for by the worker's finish: wait until every row is gone.
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> queue.getSize() == 0);
                long writes = mailTableWrites(session, "queue_taken_waiting") - before;

                assertThat(writes).as("writes to the mail table for %d mails, each taken by a waiting worker", MAILS)
                    .isEqualTo(2L * MAILS);
                assertThat(factory.redeliveries()).isZero();
                workers.dispose();
            } finally {
                factory.close();
            }
        }
    }

    @Test
    void aMailThatWaitedForABusyWorkerIsMarkedWhenTaken() throws Exception {
        try (CqlSession session = CASSANDRA.server().session("queue_taken_busy", QueueTables.MODULE)) {
            CassandraMailQueueFactory factory = factory(session);
            Set<String> delivered = ConcurrentHashMap.newKeySet();
            try {
                CassandraMailQueue queue = factory.createQueue(MailQueueName.of("spool"));
                // One worker, held by the first mail until released: the mails after it find nobody waiting.
                Sinks.Empty<Void> release = Sinks.empty();
                Disposable workers = workers(queue, delivered,
                    Mono.defer(() -> delivered.size() == 1 ? release.asMono() : Mono.empty()), 1);
                enqueueAndAwait(queue, "holding", delivered);

                long before = mailTableWrites(session, "queue_taken_busy");
                for (int i = 0; i < MAILS; i++) {
                    queue.enQueue(Mails.defaultMail().name("waiting-" + i).build());
                }
                assertThat(mailTableWrites(session, "queue_taken_busy") - before)
                    .as("writes to the mail table for %d mails enqueued while the only worker is busy", MAILS)
                    .isEqualTo(MAILS);
                assertThat(delivered).containsExactly("holding");

                release.tryEmitEmpty();
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> delivered.size() == MAILS + 1);
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> queue.getSize() == 0);
                // Each waiting mail: its row, its mark when taken, its delete; and the holding mail's delete.
                assertThat(mailTableWrites(session, "queue_taken_busy") - before).isEqualTo(3L * MAILS + 1);
                assertThat(factory.redeliveries()).isZero();
                workers.dispose();
            } finally {
                factory.close();
            }
        }
    }

    private static CassandraMailQueueFactory factory(CqlSession session) {
        return new CassandraMailQueueFactory(session, QueueSettings.DEFAULT, Clock.systemUTC(),
            new RawMailQueueItemDecoratorFactory());
    }

    private static Disposable workers(MailQueue queue, Set<String> delivered, Mono<Void> beforeFinish) {
        return workers(queue, delivered, beforeFinish, 4);
    }

    /** As James's spool: {@code count} workers, each asking for a mail when it is free. */
    private static Disposable workers(MailQueue queue, Set<String> delivered, Mono<Void> beforeFinish, int count) {
        return Flux.from(queue.deQueue())
            .flatMap(item -> Mono.fromRunnable(() -> delivered.add(item.getMail().getName()))
                .then(beforeFinish)
                .then(Mono.fromCallable(() -> {
                    item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
                    return item;
                }))
                .subscribeOn(Schedulers.boundedElastic()), count)
            .subscribe();
    }

    private static void enqueueAndAwait(MailQueue queue, String name, Set<String> delivered) throws Exception {
        queue.enQueue(Mails.defaultMail().name(name).build());
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> delivered.contains(name));
    }

    /** Local writes Cassandra counted on this keyspace's mail table since it started. */
    private static long mailTableWrites(CqlSession session, String keyspace) {
        long writes = 0;
        for (Row row : session.execute("SELECT keyspace_name, table_name, count FROM system_views.local_write_latency")) {
            if (keyspace.equals(row.getString("keyspace_name")) && QueueTables.MAILS.equals(row.getString("table_name"))) {
                writes += row.getLong("count");
            }
        }
        return writes;
    }
}
