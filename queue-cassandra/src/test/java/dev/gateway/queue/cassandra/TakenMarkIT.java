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
        onASpool("queue_taken_waiting", (spool, delivered) -> {
            Disposable workers = workers(spool.queue(), delivered, Mono.empty());
            enqueueAndAwait(spool.queue(), "first", delivered);
            awaitEmpty(spool.queue());

            long before = spool.mailTableWrites();
            for (int i = 0; i < MAILS; i++) {
                enqueueAndAwait(spool.queue(), "mail-" + i, delivered);
            }
            // A mail is delivered before its worker finishes it: wait until every row is deleted.
            awaitEmpty(spool.queue());
            long writes = spool.mailTableWrites() - before;

            assertThat(writes).as("writes to the mail table for %d mails, each taken by a waiting worker", MAILS)
                .isEqualTo(2L * MAILS);
            assertThat(spool.factory().redeliveries()).isZero();
            workers.dispose();
        });
    }

    @Test
    void aMailThatWaitedForABusyWorkerIsMarkedWhenTaken() throws Exception {
        onASpool("queue_taken_busy", (spool, delivered) -> {
            // One worker, held by the first mail until released: the mails after it find nobody waiting.
            Sinks.Empty<Void> release = Sinks.empty();
            Disposable workers = workers(spool.queue(), delivered,
                Mono.defer(() -> delivered.size() == 1 ? release.asMono() : Mono.empty()), 1);
            enqueueAndAwait(spool.queue(), "holding", delivered);

            long before = spool.mailTableWrites();
            for (int i = 0; i < MAILS; i++) {
                spool.queue().enQueue(Mails.defaultMail().name("waiting-" + i).build());
            }
            assertThat(spool.mailTableWrites() - before)
                .as("writes to the mail table for %d mails enqueued while the only worker is busy", MAILS)
                .isEqualTo(MAILS);
            assertThat(delivered).containsExactly("holding");

            release.tryEmitEmpty();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> delivered.size() == MAILS + 1);
            awaitEmpty(spool.queue());
            // Each waiting mail: its row, its mark when taken, its delete; and the holding mail's delete.
            assertThat(spool.mailTableWrites() - before).isEqualTo(3L * MAILS + 1);
            assertThat(spool.factory().redeliveries()).isZero();
            workers.dispose();
        });
    }

    /** A node's spool on a keyspace of its own, and the Cassandra writes of that keyspace's mail table. */
    private record Spool(CqlSession session, String keyspace, CassandraMailQueueFactory factory, CassandraMailQueue queue) {
        long mailTableWrites() {
            return CassandraCounts.localWrites(session, keyspace, QueueTables.MAILS);
        }
    }

    @FunctionalInterface
    private interface SpoolTest {
        void run(Spool spool, Set<String> delivered) throws Exception;
    }

    private static void onASpool(String keyspace, SpoolTest test) throws Exception {
        try (CqlSession session = CASSANDRA.server().session(keyspace, QueueTables.MODULE)) {
            CassandraMailQueueFactory factory = new CassandraMailQueueFactory(session, QueueSettings.DEFAULT,
                Clock.systemUTC(), new RawMailQueueItemDecoratorFactory());
            try {
                test.run(new Spool(session, keyspace, factory, factory.createQueue(MailQueueName.of("spool"))),
                    ConcurrentHashMap.newKeySet());
            } finally {
                factory.close();
            }
        }
    }

    private static void awaitEmpty(CassandraMailQueue queue) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> queue.getSize() == 0);
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
}
