package dev.gateway.storage.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.james.backends.cassandra.components.CassandraModule;
import org.apache.james.backends.cassandra.init.configuration.CassandraConfiguration;
import org.apache.james.blob.api.BlobId;
import org.apache.james.blob.api.BlobStoreDAO;
import org.apache.james.blob.api.BlobStoreDAOContract;
import org.apache.james.blob.api.BucketName;
import org.apache.james.blob.api.HashBlobId;
import org.apache.james.blob.api.ObjectNotFoundException;
import org.apache.james.blob.api.TestBlobId;
import org.apache.james.blob.cassandra.CassandraBlobModule;
import org.apache.james.blob.cassandra.CassandraBlobStoreDAO;
import org.apache.james.blob.cassandra.CassandraBucketDAO;
import org.apache.james.blob.cassandra.CassandraDefaultBucketDAO;
import org.apache.james.metrics.dropwizard.DropWizardMetricFactory;
import org.apache.james.server.blob.deduplication.GenerationAwareBlobId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.codahale.metrics.MetricRegistry;
import com.datastax.oss.driver.api.core.CqlSession;
import com.google.common.base.Strings;
import com.google.common.io.ByteSource;

import dev.gateway.queue.cassandra.CassandraExtension;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@link PartitionPerBlobStoreDAO} on a real Cassandra: James's whole contract of a blob store (read, save, delete,
 * buckets, concurrent use), then what is its own: one row for a small blob and nothing in James's tables, blobs
 * stored by James's store before it read, listed and deleted through it, a partition never read half-written, and a
 * blob saved lately not written again.
 */
class PartitionPerBlobStoreDAOIT implements BlobStoreDAOContract {

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    /** Small chunks for this class's own tests, so that their blobs are many chunks each; the contract runs on James's 100 KB. */
    private static final int CHUNK_SIZE = 4096;
    private static final BlobId.Factory IDS = new TestBlobId.Factory();

    private static CqlSession session;
    private static CassandraBlobStoreDAO james;
    private PartitionPerBlobStoreDAO blobs;
    private PartitionPerBlobStoreDAO asConfigured;

    @BeforeAll
    static void openSession() {
        session = CASSANDRA.server().session("partition_per_blob", CassandraModule.aggregateModules(
            CassandraBlobModule.MODULE, PartitionPerBlobStoreDAO.MODULE));
        james = new CassandraBlobStoreDAO(new CassandraDefaultBucketDAO(session, IDS), new CassandraBucketDAO(IDS, session),
            CassandraConfiguration.DEFAULT_CONFIGURATION, BucketName.DEFAULT, new DropWizardMetricFactory(new MetricRegistry()));
    }

    /** A store per test, as a node that starts on the emptied tables: each remembers the buckets it has recorded. */
    @BeforeEach
    void newNode() {
        blobs = new PartitionPerBlobStoreDAO(session, james, IDS, CHUNK_SIZE);
        asConfigured = new PartitionPerBlobStoreDAO(session, james, IDS, CassandraConfiguration.DEFAULT_CONFIGURATION.getBlobPartSize());
    }

    @AfterAll
    static void closeSession() {
        session.close();
    }

    @AfterEach
    void empty() {
        for (String table : List.of(PartitionPerBlobStoreDAO.TABLE, PartitionPerBlobStoreDAO.BUCKETS_TABLE, "blobs", "blobParts", "blobsInBucket", "blobPartsInBucket")) {
            session.execute("TRUNCATE " + table);
        }
    }

    @Override
    public BlobStoreDAO testee() {
        return asConfigured;
    }

    @Test
    void messageBytesAreCompactedSixteenSSTablesAtATimeAlsoInATableCreatedBefore() {
        assertThat(compaction()).containsEntry("min_threshold", "16").containsEntry("max_threshold", "32");

        // As an earlier Gateway created it: Cassandra's own size-tiered compaction, 4 SSTables at a time.
        session.execute("ALTER TABLE " + PartitionPerBlobStoreDAO.TABLE
            + " WITH compaction = {'class': 'SizeTieredCompactionStrategy'}");
        session.refreshSchema();
        assertThat(compaction()).containsEntry("min_threshold", "4");

        new PartitionPerBlobStoreDAO(session, james, IDS, CHUNK_SIZE);

        assertThat(compaction()).containsEntry("min_threshold", "16").containsEntry("max_threshold", "32")
            .hasEntrySatisfying("class", strategy -> assertThat(strategy).endsWith("SizeTieredCompactionStrategy"));
    }

    @Test
    void aCompactionAnOperatorChoseIsLeftAlone() {
        session.execute("ALTER TABLE " + PartitionPerBlobStoreDAO.TABLE
            + " WITH compaction = {'class': 'SizeTieredCompactionStrategy', 'min_threshold': '8'}");
        session.refreshSchema();

        try {
            new PartitionPerBlobStoreDAO(session, james, IDS, CHUNK_SIZE);

            assertThat(compaction()).containsEntry("min_threshold", "8");
        } finally {
            // The other tests of this class share the table: give it back as a store of ours leaves it.
            session.execute("ALTER TABLE " + PartitionPerBlobStoreDAO.TABLE
                + " WITH compaction = {'class': 'SizeTieredCompactionStrategy', 'min_threshold': '16', 'max_threshold': '32'}");
        }
    }

    /** What Cassandra's own schema table says, not the driver's copy of it. */
    private static Map<String, String> compaction() {
        return session.execute("SELECT compaction FROM system_schema.tables WHERE keyspace_name = 'partition_per_blob'"
            + " AND table_name = '" + PartitionPerBlobStoreDAO.TABLE + "'").one().getMap("compaction", String.class, String.class);
    }

    @Test
    void aSmallBlobIsOneRowHereAndNothingInJamesTables() {
        BlobId id = IDS.from("small");
        Mono.from(blobs.save(BucketName.DEFAULT, id, "Subject: hello\r\n\r\n".getBytes(StandardCharsets.US_ASCII))).block();

        assertThat(session.execute("SELECT chunk, chunks FROM " + PartitionPerBlobStoreDAO.TABLE).all())
            .singleElement()
            .satisfies(row -> {
                assertThat(row.getInt("chunk")).isZero();
                assertThat(row.getInt("chunks")).isEqualTo(1);
            });
        assertThat(session.execute("SELECT * FROM blobs").all()).isEmpty();
        assertThat(session.execute("SELECT * FROM blobParts").all()).isEmpty();
    }

    @Test
    void aBlobOfManyChunksIsReadWholeInOrder() {
        BlobId id = IDS.from("large");
        String body = bodyOf(CHUNK_SIZE * 25 + 17);
        Mono.from(blobs.save(BucketName.DEFAULT, id, body.getBytes(StandardCharsets.US_ASCII))).block();

        assertThat(session.execute("SELECT chunk FROM " + PartitionPerBlobStoreDAO.TABLE).all()).hasSize(26);
        assertThat(new String(Mono.from(blobs.readBytes(BucketName.DEFAULT, id)).block(), StandardCharsets.US_ASCII)).isEqualTo(body);
    }

    @Test
    void aBlobStoredByJamesStoreBeforeIsReadListedAndDeletedThroughThisOne() throws Exception {
        BlobId id = IDS.from("stored-before");
        String body = bodyOf(CHUNK_SIZE * 3);
        Mono.from(james.save(BucketName.DEFAULT, id, body.getBytes(StandardCharsets.US_ASCII))).block();
        BlobId since = IDS.from("stored-since");
        Mono.from(blobs.save(BucketName.DEFAULT, since, "since".getBytes(StandardCharsets.US_ASCII))).block();

        assertThat(new String(Mono.from(blobs.readBytes(BucketName.DEFAULT, id)).block(), StandardCharsets.US_ASCII)).isEqualTo(body);
        try (var stream = blobs.read(BucketName.DEFAULT, id)) {
            assertThat(new String(stream.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(body);
        }
        assertThat(Flux.from(blobs.listBlobs(BucketName.DEFAULT)).collectList().block()).containsExactlyInAnyOrder(id, since);

        Mono.from(blobs.delete(BucketName.DEFAULT, id)).block();
        assertThatThrownBy(() -> Mono.from(blobs.readBytes(BucketName.DEFAULT, id)).block()).isInstanceOf(ObjectNotFoundException.class);
        assertThatThrownBy(() -> Mono.from(james.readBytes(BucketName.DEFAULT, id)).block()).isInstanceOf(ObjectNotFoundException.class);
        assertThat(Flux.from(blobs.listBlobs(BucketName.DEFAULT)).collectList().block()).containsExactly(since);
    }

    /** Chunks 1 onwards written, chunk 0 with the count not yet: a save in progress, or one that failed midway. */
    @Test
    void aBlobWhoseFirstChunkIsNotWrittenIsNotThere() {
        BlobId id = IDS.from("in-progress");
        session.execute("INSERT INTO " + PartitionPerBlobStoreDAO.TABLE + " (bucket, id, chunk, data) VALUES ('"
            + BucketName.DEFAULT.asString() + "', 'in-progress', 1, textAsBlob('tail'))");

        assertThatThrownBy(() -> Mono.from(blobs.readBytes(BucketName.DEFAULT, id)).block()).isInstanceOf(ObjectNotFoundException.class);
        assertThat(Flux.from(blobs.listBlobs(BucketName.DEFAULT)).collectList().block())
            .as("listed for the collection, which deletes what nothing refers to").containsExactly(id);
    }

    @Test
    void aBlobLackingAChunkBelowItsCountIsNotReadInPart() {
        BlobId id = IDS.from("damaged");
        Mono.from(blobs.save(BucketName.DEFAULT, id, bodyOf(CHUNK_SIZE * 4).getBytes(StandardCharsets.US_ASCII))).block();
        session.execute("DELETE FROM " + PartitionPerBlobStoreDAO.TABLE + " WHERE bucket = '" + BucketName.DEFAULT.asString()
            + "' AND id = 'damaged' AND chunk = 2");

        assertThatThrownBy(() -> Mono.from(blobs.readBytes(BucketName.DEFAULT, id)).block())
            .isInstanceOf(ObjectNotFoundException.class)
            .hasMessageContaining("lacks chunk 2 of 4");
        assertThatThrownBy(() -> {
            try (var stream = blobs.read(BucketName.DEFAULT, id)) {
                stream.readAllBytes();
            }
        }).isInstanceOf(ObjectNotFoundException.class);
    }

    /**
     * A blob this node saved lately is not written again (white-box: its partition deleted with raw CQL in between, so
     * that only a write brings it back), by any of the three saves; once deleted through the store it is written again.
     */
    @Test
    void aBlobSavedLatelyIsNotWrittenAgainUntilTheStoreDeletesIt() throws Exception {
        GenerationAwareBlobId.Configuration generations = GenerationAwareBlobId.Configuration.builder()
            .duration(Duration.ofDays(1)).family(GenerationAwareBlobId.Configuration.DEFAULT_FAMILY);
        GenerationAwareBlobId.Factory ids = new GenerationAwareBlobId.Factory(Clock.systemUTC(),
            new HashBlobId.Factory(), generations);
        PartitionPerBlobStoreDAO windowed = new PartitionPerBlobStoreDAO(session, james, ids, CHUNK_SIZE,
            new RecentBlobWrites(generations, Clock.systemUTC()));
        byte[] body = bodyOf(CHUNK_SIZE * 3).getBytes(StandardCharsets.US_ASCII);
        BlobId id = ids.forPayload(body);
        List<Runnable> saves = List.of(
            () -> Mono.from(windowed.save(BucketName.DEFAULT, id, body)).block(),
            () -> Mono.from(windowed.save(BucketName.DEFAULT, id, new ByteArrayInputStream(body))).block(),
            () -> Mono.from(windowed.save(BucketName.DEFAULT, id, ByteSource.wrap(body))).block());

        for (Runnable save : saves) {
            Mono.from(windowed.delete(BucketName.DEFAULT, id)).block();
            save.run();
            assertThat(Mono.from(windowed.readBytes(BucketName.DEFAULT, id)).block()).isEqualTo(body);
            deletePartition(id);
            saves.forEach(Runnable::run);
            assertThatThrownBy(() -> Mono.from(windowed.readBytes(BucketName.DEFAULT, id)).block())
                .as("saved again within the window: not written").isInstanceOf(ObjectNotFoundException.class);
        }

        Mono.from(windowed.delete(BucketName.DEFAULT, id)).block();
        Mono.from(windowed.save(BucketName.DEFAULT, id, body)).block();
        assertThat(Mono.from(windowed.readBytes(BucketName.DEFAULT, id)).block()).as("written again once deleted")
            .isEqualTo(body);

        deletePartition(id);
        Mono.from(blobs.save(BucketName.DEFAULT, id, body)).block();
        assertThat(Mono.from(blobs.readBytes(BucketName.DEFAULT, id)).block()).as("a store without the window writes")
            .isEqualTo(body);
    }

    private static void deletePartition(BlobId id) {
        session.execute("DELETE FROM " + PartitionPerBlobStoreDAO.TABLE + " WHERE bucket = ? AND id = ?",
            BucketName.DEFAULT.asString(), id.asString());
    }

    /** Text whose every line says where it is, so that a chunk out of place shows. */
    private static String bodyOf(int length) {
        StringBuilder body = new StringBuilder(length + 64);
        for (int line = 0; body.length() < length; line++) {
            body.append(Strings.padStart(Integer.toString(line), 8, '0')).append(" the quick brown fox\r\n");
        }
        return body.substring(0, length);
    }
}
