package dev.gateway.queue.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
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
import reactor.core.scheduler.Schedulers;

/**
 * A mail row whose bytes are gone, as a process killed between deleting a finished mail's bytes and its row left
 * one (CassandraQueueIT saw it: the row was taken again every two minutes for good and the spool never read empty):
 * the queue deletes the row, delivers nothing for it and reads empty, and the mail after it is delivered.
 */
class BytesGoneIT {

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    @Test
    void aRowWithoutBytesIsDeletedAndTheQueueReadsEmpty() throws Exception {
        try (CqlSession session = CASSANDRA.server().session("queue_bytes_gone", QueueTables.MODULE)) {
            CassandraMailQueueFactory factory = new CassandraMailQueueFactory(session, QueueSettings.DEFAULT, Clock.systemUTC(),
                new RawMailQueueItemDecoratorFactory(), "bytes-gone");
            try {
                CassandraMailQueue queue = factory.createQueue(MailQueueName.of("spool"));
                queue.enQueue(Mails.defaultMail().name("bytes-gone").build());
                List<UUID> blobs = session.execute("SELECT " + QueueTables.BLOB_ID + " FROM " + QueueTables.MAILS).all().stream()
                    .map(row -> row.getUuid(QueueTables.BLOB_ID)).toList();
                assertThat(blobs).hasSize(1);
                session.execute("DELETE FROM " + QueueTables.BLOBS + " WHERE " + QueueTables.BLOB_ID + " = ?", blobs.get(0));
                assertThat(queue.getSize()).as("the row is still there, without its bytes").isEqualTo(1);

                Set<String> delivered = ConcurrentHashMap.newKeySet();
                Disposable consumer = Flux.from(queue.deQueue())
                    .subscribeOn(Schedulers.boundedElastic())
                    .subscribe(item -> {
                        delivered.add(item.getMail().getName());
                        try {
                            item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
                        } catch (MailQueue.MailQueueException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                queue.enQueue(Mails.defaultMail().name("after").build());
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> delivered.contains("after") && queue.getSize() == 0);
                consumer.dispose();

                assertThat(delivered).as("nothing is delivered for the row without bytes").containsExactly("after");
                assertThat(session.execute("SELECT " + QueueTables.ID + " FROM " + QueueTables.MAILS).all())
                    .as("no mail row is left").isEmpty();
            } finally {
                factory.close();
            }
        }
    }
}
