package dev.gateway.queue.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.Mails;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.uuid.Uuids;

import reactor.core.Disposable;

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
            // Every mail in chunks: only a mail whose bytes are beside its row can lose them.
            CassandraMailQueueFactory factory = new CassandraMailQueueFactory(session, QueueSettings.DEFAULT.withInlineMax(0),
                Clock.systemUTC(), new RawMailQueueItemDecoratorFactory(), "bytes-gone");
            try {
                CassandraMailQueue queue = factory.createQueue(MailQueueName.of("spool"));
                queue.enQueue(Mails.defaultMail().name("bytes-gone").build());
                List<UUID> blobs = session.execute("SELECT " + QueueTables.BLOB_ID + " FROM " + QueueTables.MAILS).all().stream()
                    .map(row -> row.getUuid(QueueTables.BLOB_ID)).toList();
                assertThat(blobs).hasSize(1);
                session.execute("DELETE FROM " + QueueTables.BLOBS + " WHERE " + QueueTables.BLOB_ID + " = ?", blobs.get(0));
                assertThat(queue.getSize()).as("the row is still there, without its bytes").isEqualTo(1);

                Set<String> delivered = ConcurrentHashMap.newKeySet();
                Disposable consumer = SucceedingConsumer.consume(queue, mail -> delivered.add(mail.getName()));
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

    /**
     * A row holding only a taken mark, as a node leaves when it marks a mail taken (an upsert, not waited for) just as
     * another node deletes it: nothing to deliver, and without metadata or bytes; it is deleted, not taken again.
     */
    @Test
    void aLeftoverTakenMarkIsDeleted() throws Exception {
        try (CqlSession session = CASSANDRA.server().session("queue_taken_mark_left", QueueTables.MODULE)) {
            CassandraMailQueueFactory factory = new CassandraMailQueueFactory(session, QueueSettings.DEFAULT, Clock.systemUTC(),
                new RawMailQueueItemDecoratorFactory(), "taken-mark-left");
            try {
                CassandraMailQueue queue = factory.createQueue(MailQueueName.of("spool"));
                queue.enQueue(Mails.defaultMail().name("first").build());
                Row first = session.execute("SELECT * FROM " + QueueTables.MAILS).one();
                session.execute("UPDATE " + QueueTables.MAILS + " SET " + QueueTables.TAKEN + " = 'another-node' WHERE "
                        + QueueTables.QUEUE + " = ? AND " + QueueTables.SHARD + " = ? AND slice = ? AND due = ? AND "
                        + QueueTables.ID + " = ?",
                    first.getString(QueueTables.QUEUE), first.getInt(QueueTables.SHARD), first.getInstant("slice"),
                    first.getInstant("due"), Uuids.timeBased());
                assertThat(session.execute("SELECT " + QueueTables.ID + " FROM " + QueueTables.MAILS).all()).hasSize(2);

                Set<String> delivered = ConcurrentHashMap.newKeySet();
                Disposable consumer = SucceedingConsumer.consume(queue, mail -> delivered.add(mail.getName()));
                try {
                    queue.enQueue(Mails.defaultMail().name("after").build());
                    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> delivered.containsAll(List.of("first", "after"))
                        && session.execute("SELECT " + QueueTables.ID + " FROM " + QueueTables.MAILS).all().isEmpty());
                } finally {
                    consumer.dispose();
                }
                assertThat(delivered).as("nothing is delivered for the mark").containsExactlyInAnyOrder("first", "after");
                assertThat(queue.getSize()).isZero();
            } finally {
                factory.close();
            }
        }
    }
}
