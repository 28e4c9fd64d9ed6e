package dev.gateway.storage.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import javax.mail.Flags;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.james.backends.cassandra.components.CassandraModule;
import org.apache.james.backends.cassandra.init.CassandraTypesProvider;
import org.apache.james.backends.cassandra.init.configuration.CassandraConfiguration;
import org.apache.james.backends.cassandra.versions.CassandraSchemaVersionModule;
import org.apache.james.blob.api.BlobId;
import org.apache.james.blob.api.BlobReferenceSource;
import org.apache.james.blob.api.BlobStore;
import org.apache.james.blob.api.BucketName;
import org.apache.james.blob.api.HashBlobId;
import org.apache.james.blob.api.ObjectNotFoundException;
import org.apache.james.blob.cassandra.CassandraBlobModule;
import org.apache.james.blob.cassandra.CassandraBlobStoreDAO;
import org.apache.james.blob.cassandra.CassandraBucketDAO;
import org.apache.james.blob.cassandra.CassandraDefaultBucketDAO;
import org.apache.james.core.MailAddress;
import org.apache.james.mailbox.cassandra.ids.CassandraId;
import org.apache.james.mailbox.cassandra.ids.CassandraMessageId;
import org.apache.james.mailbox.cassandra.mail.CassandraMessageDAOV3;
import org.apache.james.mailbox.cassandra.modules.CassandraMailboxModule;
import org.apache.james.mailbox.cassandra.modules.CassandraMessageModule;
import org.apache.james.mailbox.model.ByteContent;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.ThreadId;
import org.apache.james.mailbox.store.mail.model.impl.PropertyBuilder;
import org.apache.james.mailbox.store.mail.model.impl.SimpleMailboxMessage;
import org.apache.james.metrics.dropwizard.DropWizardMetricFactory;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.server.blob.deduplication.BloomFilterGCAlgorithm;
import org.apache.james.server.blob.deduplication.DeDuplicationBlobStore;
import org.apache.james.server.blob.deduplication.GenerationAwareBlobId;
import org.apache.james.server.core.MailImpl;
import org.apache.james.util.io.BodyOffsetInputStream;
import org.apache.james.utils.UpdatableTickingClock;
import org.apache.mailet.Mail;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.codahale.metrics.MetricRegistry;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.google.common.base.Strings;

import dev.gateway.queue.cassandra.CassandraExtension;
import dev.gateway.queue.cassandra.CassandraMailQueue;
import dev.gateway.queue.cassandra.CassandraMailQueueFactory;
import dev.gateway.queue.cassandra.QueueSettings;
import dev.gateway.queue.cassandra.QueueTables;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One copy of each message, on a real Cassandra: the Cassandra mail queue keeps a large mail's bytes in the mailboxes'
 * de-duplicating blob store ({@link SharedBlobStoreBytes}), wired as the cluster profile wires it (James's
 * {@link DeDuplicationBlobStore} over the node's {@link SmallBlobCache} over {@link PartitionPerBlobStoreDAO} with
 * {@link RecentBlobWrites}, generation-aware ids). The mail comes out byte for byte and its blobs stay after
 * acknowledgement; reading it leaves its header out of the node's cache; the body id the queue wrote is the
 * one the mailbox's content save computes for the delivered message, which it does not write again; mail queued in
 * chunks before is still read, and its chunks deleted; the blob collection keeps what queued mail refers to, and the
 * blobs of a mail that moves while it runs.
 */
class QueueBytesInBlobStoreIT {

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    private static final CassandraConfiguration CONFIGURATION = CassandraConfiguration.DEFAULT_CONFIGURATION;
    private static final Duration GENERATION = Duration.ofSeconds(1);
    private static final GenerationAwareBlobId.Configuration GENERATIONS = GenerationAwareBlobId.Configuration.builder()
        .duration(GENERATION).family(GenerationAwareBlobId.Configuration.DEFAULT_FAMILY);
    /** The queue's settings; a short lease, so that a node started after another closed takes its shards soon. */
    private static final QueueSettings SETTINGS = QueueSettings.DEFAULT.withLease(Duration.ofSeconds(3));
    private static final String NODE = "one-copy";
    /** The node's cache of small blobs, at the cluster profile's default sizes (32M, blobs up to 8K). */
    private static final SmallBlobCache.Settings CACHE = new SmallBlobCache.Settings(32L * 1024 * 1024, 8 * 1024);

    private static CqlSession session;

    /** The blob ids' clock, which the collection test moves on; the queue runs on the system's. */
    private UpdatableTickingClock clock;
    private GenerationAwareBlobId.Factory blobIds;
    private PartitionPerBlobStoreDAO blobs;
    private BlobStore blobStore;
    private SharedBlobStoreBytes sharedBytes;
    private CassandraMailQueueFactory queues;

    @BeforeAll
    static void openSession() {
        session = MailboxKeyspaces.open(CASSANDRA.server(), "queue_bytes_in_blob_store",
            // The mailbox module for its types: the messages' tables are made as the server makes them.
            CassandraModule.aggregateModules(CassandraSchemaVersionModule.MODULE, QueueTables.MODULE,
                CassandraBlobModule.MODULE, PartitionPerBlobStoreDAO.MODULE, CassandraMailboxModule.MODULE,
                CassandraMessageModule.MODULE));
    }

    @AfterAll
    static void closeSession() {
        session.close();
    }

    @BeforeEach
    void node() {
        clock = new UpdatableTickingClock(Instant.now());
        blobIds = new GenerationAwareBlobId.Factory(clock, new HashBlobId.Factory(), GENERATIONS);
        CassandraBlobStoreDAO james = new CassandraBlobStoreDAO(new CassandraDefaultBucketDAO(session, blobIds),
            new CassandraBucketDAO(blobIds, session), CONFIGURATION, BucketName.DEFAULT,
            new DropWizardMetricFactory(new MetricRegistry()));
        blobs = new PartitionPerBlobStoreDAO(session, james, blobIds, CONFIGURATION.getBlobPartSize(),
            new RecentBlobWrites(GENERATIONS, clock));
        blobStore = new DeDuplicationBlobStore(new SmallBlobCache(blobs, CACHE), BucketName.DEFAULT, blobIds);
        sharedBytes = new SharedBlobStoreBytes(blobStore, blobs, blobIds, GENERATIONS, clock);
        queues = sharedQueues();
    }

    @AfterEach
    void empty() {
        queues.close();
        for (String table : List.of(QueueTables.QUEUES, QueueTables.MAILS, QueueTables.SLICES, QueueTables.HEADS,
                QueueTables.LEASES, QueueTables.NODES, QueueTables.BLOBS, PartitionPerBlobStoreDAO.TABLE)) {
            session.execute("TRUNCATE " + table);
        }
    }

    @Test
    void aLargeMailIsDequeuedWholeAndItsBlobsStayAfterAcknowledgement() throws Exception {
        CassandraMailQueue queue = queues.createQueue(MailQueueName.of("spool"));
        Mail mail = mail("large", 100 * 1024);
        byte[] sent = bytesOf(mail.getMessage());
        assertThat(sent.length).isGreaterThan(SETTINGS.inlineMax());

        queue.enQueue(mail);

        Row row = session.execute("SELECT " + QueueTables.BLOB_ID + ", " + QueueTables.BYTES_REF + ", "
            + QueueTables.CONTENT + " FROM " + QueueTables.MAILS).one();
        assertThat(row.getUuid(QueueTables.BLOB_ID)).as("no chunk named").isNull();
        assertThat(row.getByteBuffer(QueueTables.CONTENT)).as("not in the row").isNull();
        assertThat(session.execute("SELECT * FROM " + QueueTables.BLOBS).all()).as("no chunk written").isEmpty();
        List<BlobId> ids = sharedBytes.blobIds(row.getString(QueueTables.BYTES_REF)).orElseThrow();
        int bodyStart = jamesBodyStartOctet(sent);
        assertThat(stored(ids.get(0))).as("the header blob").isEqualTo(Arrays.copyOfRange(sent, 0, bodyStart));
        assertThat(stored(ids.get(1))).as("the body blob").isEqualTo(Arrays.copyOfRange(sent, bodyStart, sent.length));

        MailQueue.MailQueueItem item = Flux.from(queue.deQueue()).blockFirst(Duration.ofSeconds(30));
        assertThat(bytesOf(item.getMail().getMessage())).as("dequeued byte for byte").isEqualTo(sent);
        item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);

        assertThat(session.execute("SELECT * FROM " + QueueTables.MAILS).all()).as("the row is deleted").isEmpty();
        assertThat(stored(ids.get(0))).as("the header blob stays").isNotEmpty();
        assertThat(stored(ids.get(1))).as("the body blob stays, a mailbox may use it").isNotEmpty();
    }

    /**
     * A queued mail's header is read from its row, not kept in the node's cache: no mailbox uses that blob, and the
     * cache is for the headers IMAP reads. White-box: the header's partition is deleted with raw CQL after the read,
     * so that only the cache could still serve it. The same done to a header read through the mailboxes' store shows
     * that the cache would.
     */
    @Test
    void readingAQueuedMailLeavesItsHeaderOutOfTheNodesCache() throws Exception {
        byte[] queued = bytesOf(mail("read-once", 20 * 1024).getMessage());
        String reference = sharedBytes.write(queued).block();
        BlobId header = sharedBytes.blobIds(reference).orElseThrow().get(0);

        assertThat(sharedBytes.read(reference).block()).as("read back whole").isEqualTo(queued);
        deletePartition(header);
        assertThatThrownBy(() -> Mono.from(blobStore.readBytes(BucketName.DEFAULT, header)).block())
            .as("the queue's read kept nothing for the mailboxes' store to serve")
            .isInstanceOf(ObjectNotFoundException.class);

        byte[] other = bytesOf(mail("read-by-imap", 20 * 1024).getMessage());
        BlobId otherHeader = sharedBytes.blobIds(sharedBytes.write(other).block()).orElseThrow().get(0);
        byte[] readByImap = Mono.from(blobStore.readBytes(BucketName.DEFAULT, otherHeader)).block();
        deletePartition(otherHeader);
        assertThat(Mono.from(blobStore.readBytes(BucketName.DEFAULT, otherHeader)).block())
            .as("a header read through the mailboxes' store is served from the cache once its row is gone")
            .isEqualTo(readByImap);
    }

    /**
     * The point of it: the body the queue wrote has the id the mailbox's content save gives the delivered message
     * (its header grown by what local delivery adds), and the mailbox does not write it again. White-box on purpose:
     * the body's partition is deleted with raw CQL after the queue wrote it, so that only a write by the mailbox's save
     * could bring it back. Two sizes: one the mailbox stores in one batch with its row, one through James's save.
     */
    @Test
    void theMailboxStoresTheQueuedBodyUnderTheSameIdWithoutWritingItAgain() throws Exception {
        MessageContent contents = new MessageContent(session, blobs, blobIds, BucketName.DEFAULT,
            new CassandraMessageDAOV3(session, new CassandraTypesProvider(session), blobStore, blobIds));
        for (int size : List.of(20 * 1024, 150 * 1024)) {
            byte[] queued = bytesOf(mail("delivered-" + size, size).getMessage());
            List<BlobId> ids = sharedBytes.blobIds(sharedBytes.write(queued).block()).orElseThrow();
            BlobId queuedBody = ids.get(1);
            deletePartition(queuedBody);

            byte[] delivered = concat(("Return-Path: <sender@remote.example>\r\nDelivered-To: bob@gateway.example\r\n")
                .getBytes(StandardCharsets.US_ASCII), queued);
            BlobId mailboxBody = contents.save(mailboxMessage(delivered)).block().getT2();

            assertThat(mailboxBody).as("%s bytes: the mailbox's body id", size).isEqualTo(queuedBody);
            assertThatThrownBy(() -> stored(queuedBody)).as("%s bytes: the body not written again", size)
                .isInstanceOf(ObjectNotFoundException.class);
        }
    }

    /** A mail queued in chunks (as before, or by a node keeping them) is read from them, deleted at acknowledgement. */
    @Test
    void aMailQueuedInChunksIsStillDequeuedAndItsChunksDeleted() throws Exception {
        queues.close();
        CassandraMailQueueFactory chunked = new CassandraMailQueueFactory(session, SETTINGS, Clock.systemUTC(),
            new RawMailQueueItemDecoratorFactory(), NODE);
        Mail mail = mail("in-chunks", 100 * 1024);
        byte[] sent = bytesOf(mail.getMessage());
        try {
            chunked.createQueue(MailQueueName.of("spool")).enQueue(mail, Duration.ofHours(1));
        } finally {
            chunked.close();
        }
        Row row = session.execute("SELECT " + QueueTables.BLOB_ID + ", " + QueueTables.BYTES_REF + " FROM "
            + QueueTables.MAILS).one();
        assertThat(row.getUuid(QueueTables.BLOB_ID)).as("chunks named as before").isNotNull();
        assertThat(row.getString(QueueTables.BYTES_REF)).isNull();
        assertThat(session.execute("SELECT * FROM " + QueueTables.BLOBS).all()).isNotEmpty();

        queues = sharedQueues();
        CassandraMailQueue queue = queues.createQueue(MailQueueName.of("spool"));
        assertThat(queue.flush()).as("made due now, keeping its chunks").isEqualTo(1);
        MailQueue.MailQueueItem item = Flux.from(queue.deQueue()).blockFirst(Duration.ofSeconds(30));
        assertThat(bytesOf(item.getMail().getMessage())).as("dequeued byte for byte").isEqualTo(sent);
        item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);

        assertThat(session.execute("SELECT * FROM " + QueueTables.MAILS).all()).as("the row is deleted").isEmpty();
        assertThat(session.execute("SELECT * FROM " + QueueTables.BLOBS).all()).as("the chunks are deleted").isEmpty();
    }

    /**
     * A queued mail's blobs, older than two generations, survive a collection run while a blob of the same age that
     * nothing refers to is deleted by it; the mail is then dequeued whole.
     */
    @Test
    void theCollectionKeepsTheBlobsOfQueuedMail() throws Exception {
        CassandraMailQueue queue = queues.createQueue(MailQueueName.of("outgoing"));
        Mail mail = mail("retried-for-days", 100 * 1024);
        byte[] sent = bytesOf(mail.getMessage());
        queue.enQueue(mail, Duration.ofHours(1));
        byte[] unreferenced = "nothing refers to this".getBytes(StandardCharsets.US_ASCII);
        BlobId orphan = Mono.from(blobStore.save(BucketName.DEFAULT, unreferenced, BlobStore.StoragePolicy.LOW_COST))
            .block();
        String reference = session.execute("SELECT " + QueueTables.BYTES_REF + " FROM " + QueueTables.MAILS).one()
            .getString(QueueTables.BYTES_REF);
        List<BlobId> queued = sharedBytes.blobIds(reference).orElseThrow();

        clock.setInstant(clock.instant().plus(GENERATION.multipliedBy(10)));
        collect(new QueuedMailBlobReferenceSource(queues, sharedBytes));

        assertThatThrownBy(() -> stored(orphan)).as("an old blob nothing refers to is collected")
            .isInstanceOf(ObjectNotFoundException.class);
        assertThat(stored(queued.get(0))).as("the queued mail's header").isNotEmpty();
        assertThat(stored(queued.get(1))).as("the queued mail's body").isNotEmpty();
        assertThat(queue.flush()).isEqualTo(1);
        MailQueue.MailQueueItem item = Flux.from(queue.deQueue()).blockFirst(Duration.ofSeconds(30));
        assertThat(bytesOf(item.getMail().getMessage())).as("dequeued whole").isEqualTo(sent);
        item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
    }

    /** A mail that moves within the generation its blobs were written in keeps them: nothing is written again. */
    @Test
    void aMailThatMovesKeepsBlobsOfTheCurrentGeneration() throws Exception {
        CassandraMailQueue queue = queues.createQueue(MailQueueName.of("outgoing"));
        queue.enQueue(mail("flushed-at-once", 100 * 1024), Duration.ofHours(1));
        String before = bytesRef();

        assertThat(queue.flush()).isEqualTo(1);

        assertThat(bytesRef()).as("the moved row's reference").isEqualTo(before);
    }

    /**
     * The window {@link SharedBlobStoreBytes#refresh} closes: a collection run lists the queue's rows while a mail
     * moves (a flush here), reads the new row's slice before the row is written and the old row's after it is
     * deleted, and so lists neither. That interleaving is not one a test can bring about with real timing, so the run
     * is given a reference source that lists nothing, which is what such a run lists for the mail. The mail's blobs
     * are ten generations old when it moves: its new row refers to a copy written then, which the run keeps, while it
     * deletes the old blobs; the mail is dequeued whole.
     */
    @Test
    void aMailThatMovesWithOldBlobsGetsACopyThatACollectionMissingItsRowKeeps() throws Exception {
        CassandraMailQueue queue = queues.createQueue(MailQueueName.of("outgoing"));
        Mail mail = mail("retried-for-weeks", 100 * 1024);
        byte[] sent = bytesOf(mail.getMessage());
        queue.enQueue(mail, Duration.ofHours(1));
        List<BlobId> old = sharedBytes.blobIds(bytesRef()).orElseThrow();
        clock.setInstant(clock.instant().plus(GENERATION.multipliedBy(10)));

        assertThat(queue.flush()).isEqualTo(1);
        List<BlobId> copy = sharedBytes.blobIds(bytesRef()).orElseThrow();
        assertThat(copy).as("the moved row refers to a copy").doesNotContainAnyElementsOf(old);

        collect(Flux::empty);

        assertThatThrownBy(() -> stored(old.get(1))).as("the old body, which nothing refers to now, is collected")
            .isInstanceOf(ObjectNotFoundException.class);
        assertThat(stored(copy.get(0))).as("the copy's header").isNotEmpty();
        assertThat(stored(copy.get(1))).as("the copy's body").isNotEmpty();
        MailQueue.MailQueueItem item = Flux.from(queue.deQueue()).blockFirst(Duration.ofSeconds(30));
        assertThat(bytesOf(item.getMail().getMessage())).as("dequeued whole").isEqualTo(sent);
        item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
    }

    /** One run of James's blob collection over the store, keeping what {@code references} lists. */
    private void collect(BlobReferenceSource references) {
        new BloomFilterGCAlgorithm(references, blobs, blobIds, GENERATIONS, clock)
            .gc(1000, 1000, 0.01, BucketName.DEFAULT, new BloomFilterGCAlgorithm.Context(1000, 0.01)).block();
    }

    private static String bytesRef() {
        List<Row> rows = session.execute("SELECT " + QueueTables.BYTES_REF + " FROM " + QueueTables.MAILS).all();
        assertThat(rows).as("one mail row").hasSize(1);
        return rows.get(0).getString(QueueTables.BYTES_REF);
    }

    private CassandraMailQueueFactory sharedQueues() {
        return new CassandraMailQueueFactory(session, SETTINGS, Clock.systemUTC(),
            new RawMailQueueItemDecoratorFactory(), NODE, Optional.of(sharedBytes));
    }

    private byte[] stored(BlobId id) {
        return Mono.from(blobs.readBytes(BucketName.DEFAULT, id)).block();
    }

    private static void deletePartition(BlobId id) {
        session.execute("DELETE FROM " + PartitionPerBlobStoreDAO.TABLE + " WHERE bucket = ? AND id = ?",
            BucketName.DEFAULT.asString(), id.asString());
    }

    /** A mail whose message has a text body of about {@code size} bytes, each line saying where it is. */
    private static Mail mail(String name, int size) throws Exception {
        StringBuilder body = new StringBuilder(size + 64);
        for (int line = 0; body.length() < size; line++) {
            body.append(Strings.padStart(Integer.toString(line), 8, '0')).append(" the quick brown fox\r\n");
        }
        String message = "From: sender@remote.example\r\nTo: bob@gateway.example\r\nSubject: " + name
            + "\r\nMessage-ID: <" + name + "@remote.example>\r\n\r\n" + body;
        return MailImpl.builder()
            .name(name)
            .sender(new MailAddress("sender@remote.example"))
            .addRecipient(new MailAddress("bob@gateway.example"))
            .mimeMessage(new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(message.getBytes(StandardCharsets.US_ASCII))))
            .build();
    }

    /** The message as the mailbox layer gets it: James's own split ({@code StoreMessageManager}'s). */
    private static SimpleMailboxMessage mailboxMessage(byte[] content) throws Exception {
        MessageId id = new CassandraMessageId.Factory().generate();
        return new SimpleMailboxMessage(id, ThreadId.fromBaseMessageId(id), new Date(), content.length,
            jamesBodyStartOctet(content), new ByteContent(content), new Flags(), new PropertyBuilder().build(),
            CassandraId.timeBased());
    }

    /** Where James's mailbox starts a body: read through its BodyOffsetInputStream, 0 without a blank line. */
    private static int jamesBodyStartOctet(byte[] content) throws Exception {
        try (BodyOffsetInputStream in = new BodyOffsetInputStream(new ByteArrayInputStream(content))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            long start = in.getBodyStartOffset();
            return start == -1 ? 0 : Math.toIntExact(start);
        }
    }

    private static byte[] bytesOf(MimeMessage message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }
}
