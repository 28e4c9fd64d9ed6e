package dev.gateway.queue.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import javax.mail.internet.MimeMessage;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.Mails;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.google.common.base.Strings;
import com.google.common.collect.ImmutableList;

import reactor.core.Disposable;

/**
 * A mail up to {@code cassandra.queue.inline.bytes} is kept in its row, a larger one in chunks beside it: both come
 * out byte for byte, whether handed over in memory (a node's own mail due now) or found by a poll (delayed mail, its
 * bytes read by key), are listed, and leave neither row nor chunk behind once finished.
 */
class BytesInRowIT {

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    @Test
    void smallMailIsKeptInItsRowLargeMailInChunksAndBothLeaveNothingWhenDone() throws Exception {
        try (CqlSession session = CASSANDRA.server().session("queue_bytes_in_row", QueueTables.MODULE)) {
            QueueSettings settings = QueueSettings.DEFAULT.withInlineMax(16 * 1024);
            CassandraMailQueueFactory factory = new CassandraMailQueueFactory(session, settings, Clock.systemUTC(),
                new RawMailQueueItemDecoratorFactory(), "bytes-in-row");
            try {
                CassandraMailQueue queue = factory.createQueue(MailQueueName.of("spool"));
                Map<String, String> sent = Map.of(
                    "small", Strings.repeat("small body line\r\n", 128),
                    "delayed", Strings.repeat("delayed body line\r\n", 128),
                    "large", Strings.repeat("large body line\r\n", 4096));
                for (Map.Entry<String, String> mail : sent.entrySet()) {
                    // A delayed mail is not handed over in memory: a poll finds its row, and its bytes are read by key.
                    queue.enQueue(Mails.defaultMail().name(mail.getKey())
                        .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject(mail.getKey()).setText(mail.getValue()))
                        .build(), mail.getKey().equals("delayed") ? Duration.ofSeconds(2) : Duration.ZERO);
                }

                Map<String, Row> rows = new ConcurrentHashMap<>();
                for (Row row : session.execute("SELECT " + QueueTables.METADATA + ", " + QueueTables.BLOB_ID + ", "
                    + QueueTables.CONTENT + " FROM " + QueueTables.MAILS)) {
                    sent.keySet().stream().filter(name -> row.getString(QueueTables.METADATA).contains("\"" + name + "\""))
                        .forEach(name -> rows.put(name, row));
                }
                assertThat(rows).containsOnlyKeys("small", "delayed", "large");
                for (String small : List.of("small", "delayed")) {
                    assertThat(rows.get(small).getByteBuffer(QueueTables.CONTENT)).as(small + ": bytes in its row").isNotNull();
                    assertThat(rows.get(small).getUuid(QueueTables.BLOB_ID)).as(small + ": no chunk").isNull();
                }
                assertThat(rows.get("large").getByteBuffer(QueueTables.CONTENT)).as("the large mail's bytes not in its row").isNull();
                UUID largeBlob = rows.get("large").getUuid(QueueTables.BLOB_ID);
                assertThat(blobIds(session)).as("chunks only for the large mail").containsExactly(largeBlob);

                List<String> browsed = ImmutableList.copyOf(queue.browse()).stream()
                    .map(item -> item.getMail().getName()).toList();
                assertThat(browsed).containsExactlyInAnyOrder("small", "delayed", "large");

                Map<String, String> received = consumeAll(queue, sent.size());

                sent.forEach((name, body) -> assertThat(received.get(name)).as(name).isEqualTo(body));
                assertThat(session.execute("SELECT " + QueueTables.ID + " FROM " + QueueTables.MAILS).all())
                    .as("no mail row is left").isEmpty();
                assertThat(blobIds(session)).as("no chunk is left").isEmpty();
            } finally {
                factory.close();
            }
        }
    }

    /**
     * The largest single writes the queue's settings allow, a row holding 1 MiB of mail and a 2 MiB chunk, are taken
     * by the Cassandra bin/cassandra runs: it refuses a write over half a commit-log segment, and its segments are
     * 8 MiB (cassandra/cassandra.yaml).
     */
    @Test
    void theLargestRowAndTheLargestChunkFitTheCommitLog() throws Exception {
        try (CqlSession session = CASSANDRA.server().session("queue_largest_writes", QueueTables.MODULE)) {
            QueueSettings d = QueueSettings.DEFAULT;
            QueueSettings largest = new QueueSettings(d.shards(), d.sliceLength(), d.grace(), d.lease(), d.pollMin(),
                d.pollMax(), d.retryDelay(), d.retryDelayMax(), QueueSettings.MAX_CHUNK_BYTES, QueueSettings.MAX_INLINE_BYTES);
            CassandraMailQueueFactory factory = new CassandraMailQueueFactory(session, largest, Clock.systemUTC(),
                new RawMailQueueItemDecoratorFactory(), "largest-writes");
            try {
                CassandraMailQueue queue = factory.createQueue(MailQueueName.of("spool"));
                String line = "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\r\n";
                Map<String, String> sent = Map.of(
                    "in-row", Strings.repeat(line, (QueueSettings.MAX_INLINE_BYTES - 8192) / line.length()),
                    "chunked", Strings.repeat(line, (2 * QueueSettings.MAX_CHUNK_BYTES + QueueSettings.MAX_CHUNK_BYTES / 2) / line.length()));
                for (Map.Entry<String, String> mail : sent.entrySet()) {
                    queue.enQueue(Mails.defaultMail().name(mail.getKey())
                        .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject(mail.getKey()).setText(mail.getValue()))
                        .build());
                }
                Row inRow = session.execute("SELECT " + QueueTables.CONTENT + ", " + QueueTables.METADATA + " FROM "
                    + QueueTables.MAILS).all().stream()
                    .filter(row -> row.getString(QueueTables.METADATA).contains("\"in-row\"")).findFirst().orElseThrow();
                assertThat(inRow.getByteBuffer(QueueTables.CONTENT).remaining()).as("the in-row mail's bytes in its row")
                    .isGreaterThan(QueueSettings.MAX_INLINE_BYTES - 16384).isLessThanOrEqualTo(QueueSettings.MAX_INLINE_BYTES);
                assertThat(session.execute("SELECT " + QueueTables.BLOB_ID + " FROM " + QueueTables.BLOBS).all())
                    .as("the chunked mail's three chunks of at most MAX_CHUNK_BYTES").hasSize(3);

                Map<String, String> received = consumeAll(queue, sent.size());
                sent.forEach((name, body) -> assertThat(received.get(name)).as(name).isEqualTo(body));
            } finally {
                factory.close();
            }
        }
    }

    /** A keyspace of an earlier version, whose mail table has no column for bytes in the row, gets it at start. */
    @Test
    void aMailTableWithoutTheContentColumnGetsIt() throws Exception {
        try (CqlSession session = CASSANDRA.server().session("queue_bytes_in_row_upgrade", QueueTables.MODULE)) {
            session.execute("ALTER TABLE " + QueueTables.MAILS + " DROP " + QueueTables.CONTENT);
            CassandraMailQueueFactory factory = new CassandraMailQueueFactory(session, QueueSettings.DEFAULT.withInlineMax(16 * 1024),
                Clock.systemUTC(), new RawMailQueueItemDecoratorFactory(), "bytes-in-row-upgrade");
            try {
                CassandraMailQueue queue = factory.createQueue(MailQueueName.of("spool"));
                queue.enQueue(Mails.defaultMail().name("after-upgrade").build());
                Row row = session.execute("SELECT " + QueueTables.CONTENT + " FROM " + QueueTables.MAILS).one();
                assertThat(row.getByteBuffer(QueueTables.CONTENT)).as("the mail's bytes in its row").isNotNull();
            } finally {
                factory.close();
            }
        }
    }

    /** Consumes {@code count} mails from {@code queue}: their names and bodies, once the queue is empty. */
    private static Map<String, String> consumeAll(CassandraMailQueue queue, int count) {
        Map<String, String> received = new ConcurrentHashMap<>();
        Disposable consumer = SucceedingConsumer.consume(queue,
            mail -> received.put(mail.getName(), text(mail.getMessage())));
        try {
            Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> received.size() == count && queue.getSize() == 0);
        } finally {
            consumer.dispose();
        }
        return received;
    }

    private static List<UUID> blobIds(CqlSession session) {
        return session.execute("SELECT DISTINCT " + QueueTables.BLOB_ID + " FROM " + QueueTables.BLOBS).all().stream()
            .map(row -> row.getUuid(QueueTables.BLOB_ID)).toList();
    }

    private static String text(MimeMessage message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.getInputStream().transferTo(out);
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
