package dev.gateway.storage.cassandra;

import static com.datastax.oss.driver.api.core.type.DataTypes.BLOB;
import static com.datastax.oss.driver.api.core.type.DataTypes.INT;
import static com.datastax.oss.driver.api.core.type.DataTypes.TEXT;
import static com.datastax.oss.driver.api.querybuilder.QueryBuilder.bindMarker;
import static com.datastax.oss.driver.api.querybuilder.QueryBuilder.deleteFrom;
import static com.datastax.oss.driver.api.querybuilder.QueryBuilder.insertInto;
import static com.datastax.oss.driver.api.querybuilder.QueryBuilder.selectFrom;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.james.backends.cassandra.components.CassandraModule;
import org.apache.james.blob.api.BlobId;
import org.apache.james.blob.api.BlobStoreDAO;
import org.apache.james.blob.api.BucketName;
import org.apache.james.blob.api.ObjectNotFoundException;
import org.apache.james.blob.api.ObjectStoreIOException;
import org.apache.james.util.DataChunker;
import org.apache.james.util.ReactorUtils;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.querybuilder.SchemaBuilder;
import com.datastax.oss.driver.api.querybuilder.schema.compaction.SizeTieredCompactionStrategy;
import com.google.common.base.Preconditions;
import com.google.common.io.ByteSource;

import dev.gateway.queue.cassandra.CassandraConnection;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.function.Tuple2;

/**
 * Message bytes in Cassandra, one partition of {@code gateway_blobs} per blob: a blob of one chunk (a message header,
 * the body of any message under the chunk size, 100 KB by default) is stored by one write and read by one read.
 *
 * <p>James 3.8.1's {@code CassandraBlobStoreDAO} keeps a blob in two tables, its chunks in {@code blobParts} and
 * their number in {@code blobs}: two writes to store a header or a small body and two reads, one after the other, to
 * read it. A delivered message has two blobs (header and body), so four of the writes Cassandra applies for each
 * delivered mail were blob writes (docs/benchmarks.md, "Statements per delivered message").
 *
 * <p>Here the chunks are the rows of the blob's partition, and the number of chunks is a static column written with
 * chunk 0, last. A reader takes the first {@code chunks} rows: a blob whose chunk 0 is not there yet is not there,
 * as James's row count written last made it, so a blob is never read half-written. A blob of several chunks is
 * written chunk 1 onwards first, chunk 0 with the count last; one of one chunk is a single insert.
 *
 * <p>A blob this node saved within the last minutes is not written again ({@link RecentBlobWrites}): local delivery
 * saves again the body the queue has just saved, and a body delivered to ten users is saved ten times. James's
 * de-duplicating store asks for a write each time.
 *
 * <p>Blobs stored before this table (by Gateway or by James on the same keyspace) stay in James's tables and are read
 * from there when their partition here is empty: one more read for those, none for blobs stored since. Deletes go to
 * both tables, and the listings of the blob collection cover both.
 */
public final class PartitionPerBlobStoreDAO implements BlobStoreDAO {

    private static final Logger LOGGER = LoggerFactory.getLogger(PartitionPerBlobStoreDAO.class);

    static final String TABLE = "gateway_blobs";
    static final String BUCKETS_TABLE = "gateway_blob_buckets";
    private static final CqlIdentifier BUCKET = CqlIdentifier.fromCql("bucket");
    private static final CqlIdentifier ID = CqlIdentifier.fromCql("id");
    private static final CqlIdentifier CHUNK = CqlIdentifier.fromCql("chunk");
    private static final CqlIdentifier DATA = CqlIdentifier.fromCql("data");
    private static final CqlIdentifier CHUNKS = CqlIdentifier.fromCql("chunks");

    /**
     * SSTables of message bytes merged at once: size-tiered compaction, 16 of a size at a time where Cassandra merges
     * 4. A blob is written once and read by its key, so a read checks each SSTable's bloom filter and opens one:
     * merging buys reads little, and each merge writes every byte of message again. Merging 16 at once writes each
     * byte about half as many times over its life (docs/storage-cassandra.md#message-bytes-one-partition-per-blob).
     */
    static final int SSTABLES_MERGED_AT_ONCE = 16;
    private static final SizeTieredCompactionStrategy<?> COMPACTION = SchemaBuilder.sizeTieredCompactionStrategy()
        .withMinThreshold(SSTABLES_MERGED_AT_ONCE)
        .withMaxThreshold(2 * SSTABLES_MERGED_AT_ONCE);
    private static final CqlIdentifier COMPACTION_OPTION = CqlIdentifier.fromCql("compaction");

    public static final CassandraModule MODULE = CassandraModule.builder()
        .table(TABLE)
        .comment("Gateway: message bytes, one partition per blob, its chunks as rows, their number written last")
        .options(options -> options.withCompaction(COMPACTION))
        .statement(statement -> types -> statement
            .withPartitionKey(BUCKET, TEXT)
            .withPartitionKey(ID, TEXT)
            .withClusteringColumn(CHUNK, INT)
            .withColumn(DATA, BLOB)
            .withStaticColumn(CHUNKS, INT))
        .table(BUCKETS_TABLE)
        .comment("Gateway: the buckets blobs were saved in, listed until the bucket is deleted, empty or not")
        .statement(statement -> types -> statement
            .withPartitionKey(BUCKET, TEXT))
        .build();

    /** Rows per page when a blob of many chunks is read: a megabyte or so at the default chunk size. */
    private static final int CHUNKS_PER_PAGE = 10;
    /** Chunks of one blob written at once, before its chunk 0. */
    private static final int CHUNK_WRITES_AT_ONCE = 4;
    /** Blobs deleted at once by a delete of several, or of a bucket. */
    private static final int DELETES_AT_ONCE = 16;

    private final CqlSession session;
    private final BlobStoreDAO before;
    private final BlobId.Factory blobIds;
    private final int chunkSize;
    private final RecentBlobWrites recentWrites;
    private final PreparedStatement insertChunk;
    private final PreparedStatement insertFirstChunk;
    private final PreparedStatement selectChunks;
    private final PreparedStatement deleteBlob;
    private final PreparedStatement selectIds;
    private final PreparedStatement insertBucket;
    private final PreparedStatement deleteBucket;
    private final PreparedStatement selectBuckets;
    /** Buckets this node has recorded in {@link #BUCKETS_TABLE}: each is written once per node, not once per blob. */
    private final Set<BucketName> recordedBuckets = ConcurrentHashMap.newKeySet();

    /** A store that writes every save ({@link RecentBlobWrites#none()}). */
    public PartitionPerBlobStoreDAO(CqlSession session, BlobStoreDAO before, BlobId.Factory blobIds, int chunkSize) {
        this(session, before, blobIds, chunkSize, RecentBlobWrites.none());
    }

    /**
     * @param before       the store blobs were kept in before this table (James's), read when a blob is not here
     * @param chunkSize    bytes per chunk (James's {@code CassandraConfiguration#getBlobPartSize()})
     * @param recentWrites the blobs this node saved lately, whose saves are left out
     */
    public PartitionPerBlobStoreDAO(CqlSession session, BlobStoreDAO before, BlobId.Factory blobIds, int chunkSize,
                                    RecentBlobWrites recentWrites) {
        Preconditions.checkArgument(chunkSize > 0, "chunk size must be positive: %s", chunkSize);
        this.session = session;
        this.before = before;
        this.blobIds = blobIds;
        this.chunkSize = chunkSize;
        this.recentWrites = recentWrites;
        compactLikeThisWhereCreatedBefore(session);
        this.insertChunk = session.prepare(insertInto(TABLE)
            .value(BUCKET, bindMarker(BUCKET))
            .value(ID, bindMarker(ID))
            .value(CHUNK, bindMarker(CHUNK))
            .value(DATA, bindMarker(DATA)).build());
        this.insertFirstChunk = session.prepare(insertInto(TABLE)
            .value(BUCKET, bindMarker(BUCKET))
            .value(ID, bindMarker(ID))
            .value(CHUNK, bindMarker(CHUNK))
            .value(DATA, bindMarker(DATA))
            .value(CHUNKS, bindMarker(CHUNKS)).build());
        this.selectChunks = session.prepare(selectFrom(TABLE).column(CHUNK).column(DATA).column(CHUNKS)
            .whereColumn(BUCKET).isEqualTo(bindMarker(BUCKET))
            .whereColumn(ID).isEqualTo(bindMarker(ID)).build());
        this.deleteBlob = session.prepare(deleteFrom(TABLE)
            .whereColumn(BUCKET).isEqualTo(bindMarker(BUCKET))
            .whereColumn(ID).isEqualTo(bindMarker(ID)).build());
        this.selectIds = session.prepare(selectFrom(TABLE).distinct().column(BUCKET).column(ID).build());
        this.insertBucket = session.prepare(insertInto(BUCKETS_TABLE).value(BUCKET, bindMarker(BUCKET)).build());
        this.deleteBucket = session.prepare(deleteFrom(BUCKETS_TABLE).whereColumn(BUCKET).isEqualTo(bindMarker(BUCKET)).build());
        this.selectBuckets = session.prepare(selectFrom(BUCKETS_TABLE).column(BUCKET).build());
    }

    /**
     * A table created by an earlier Gateway has Cassandra's default compaction (James's table manager creates missing
     * tables only): the first start that finds exactly that default sets this one, once, for every node. Any other
     * compaction is an operator's choice and is left alone.
     */
    private static void compactLikeThisWhereCreatedBefore(CqlSession session) {
        Optional<Map<?, ?>> compaction = session.getKeyspace()
            .flatMap(keyspace -> session.getMetadata().getKeyspace(keyspace))
            .flatMap(keyspace -> keyspace.getTable(TABLE))
            .map(table -> table.getOptions().get(COMPACTION_OPTION))
            .filter(Map.class::isInstance)
            .map(Map.class::cast);
        boolean createdBefore = compaction
            .filter(options -> String.valueOf(options.get("class")).endsWith(".SizeTieredCompactionStrategy"))
            .filter(options -> "4".equals(options.get("min_threshold")) && "32".equals(options.get("max_threshold")))
            .isPresent();
        if (createdBefore) {
            LOGGER.info("Setting the compaction of table {}: {} SSTables merged at once (was {})", TABLE,
                SSTABLES_MERGED_AT_ONCE, compaction.get());
            session.execute(CassandraConnection.schemaStatement(SchemaBuilder.alterTable(TABLE)
                .withCompaction(COMPACTION).asCql()));
        }
    }

    @Override
    public InputStream read(BucketName bucketName, BlobId blobId) throws ObjectStoreIOException, ObjectNotFoundException {
        return ReactorUtils.toInputStream(chunks(bucketName, blobId));
    }

    @Override
    public Publisher<InputStream> readReactive(BucketName bucketName, BlobId blobId) {
        return Mono.fromCallable(() -> read(bucketName, blobId));
    }

    @Override
    public Publisher<byte[]> readBytes(BucketName bucketName, BlobId blobId) {
        return chunks(bucketName, blobId).collectList().map(PartitionPerBlobStoreDAO::concatenate);
    }

    /** The blob's chunks in order: from this table, else from the store before it, else an ObjectNotFoundException. */
    private Flux<ByteBuffer> chunks(BucketName bucketName, BlobId blobId) {
        return storedChunks(bucketName, blobId)
            .switchIfEmpty(Flux.defer(() -> Mono.from(before.readBytes(bucketName, blobId)).map(ByteBuffer::wrap)));
    }

    /**
     * The rows of the blob's partition, up to its count of chunks; none when chunk 0 (with the count) is not written,
     * and an ObjectNotFoundException when a chunk below the count is missing (a partition damaged, not one in writing:
     * chunk 0 is written after all the others).
     */
    private Flux<ByteBuffer> storedChunks(BucketName bucketName, BlobId blobId) {
        return Flux.from(session.executeReactive(selectChunks.bind()
                .setString(BUCKET, bucketName.asString())
                .setString(ID, blobId.asString())
                .setPageSize(CHUNKS_PER_PAGE)))
            .switchOnFirst((first, rows) -> {
                Row row = first.get();
                if (row == null) {
                    return first.hasError() ? Flux.error(first.getThrowable()) : Flux.empty();
                }
                if (row.getInt(CHUNK) != 0 || row.isNull(CHUNKS)) {
                    return Flux.empty();
                }
                int count = row.getInt(CHUNKS);
                int[] next = {0};
                return rows.take(count)
                    .map(chunk -> {
                        if (chunk.getInt(CHUNK) != next[0]) {
                            throw lacks(blobId, next[0], count);
                        }
                        next[0]++;
                        return chunk.getByteBuffer(DATA);
                    })
                    .concatWith(Mono.defer(() -> next[0] == count ? Mono.empty() : Mono.error(lacks(blobId, next[0], count))));
            });
    }

    private static ObjectNotFoundException lacks(BlobId blobId, int chunk, int count) {
        return new ObjectNotFoundException("blob " + blobId.asString() + " lacks chunk " + chunk + " of " + count);
    }

    private static byte[] concatenate(List<ByteBuffer> chunks) {
        ByteBuffer whole = ByteBuffer.allocate(chunks.stream().mapToInt(ByteBuffer::remaining).sum());
        chunks.forEach(whole::put);
        return whole.array();
    }

    @Override
    public Publisher<Void> save(BucketName bucketName, BlobId blobId, byte[] data) {
        Preconditions.checkNotNull(data);
        if (recentWrites.savedLately(bucketName, blobId)) {
            return Mono.empty();
        }
        return save(bucketName, blobId, DataChunker.chunk(data, chunkSize));
    }

    @Override
    public Publisher<Void> save(BucketName bucketName, BlobId blobId, InputStream inputStream) {
        Preconditions.checkNotNull(bucketName);
        Preconditions.checkNotNull(inputStream);
        if (recentWrites.savedLately(bucketName, blobId)) {
            return Mono.empty();
        }
        return saveStream(bucketName, blobId, inputStream);
    }

    @Override
    public Publisher<Void> save(BucketName bucketName, BlobId blobId, ByteSource content) {
        Preconditions.checkNotNull(content);
        if (recentWrites.savedLately(bucketName, blobId)) {
            return Mono.empty();
        }
        return Mono.using(content::openBufferedStream,
            stream -> saveStream(bucketName, blobId, stream),
            PartitionPerBlobStoreDAO::closeQuietly);
    }

    private Mono<Void> saveStream(BucketName bucketName, BlobId blobId, InputStream inputStream) {
        return save(bucketName, blobId, ReactorUtils.toChunks(inputStream, chunkSize).subscribeOn(Schedulers.boundedElastic()))
            .onErrorMap(e -> !(e instanceof ObjectStoreIOException), e -> new ObjectStoreIOException("could not save blob " + blobId.asString(), e));
    }

    private static void closeQuietly(InputStream stream) {
        try {
            stream.close();
        } catch (IOException e) {
            // the content was read to its end or failed already; nothing is left to lose
        }
    }

    /** Whether a blob of {@code bytes} is stored as one row, the only blobs {@link #oneRowInsert} writes. */
    public boolean fitsOneRow(long bytes) {
        return bytes <= chunkSize;
    }

    /**
     * The insert that stores {@code data} as a blob of one row (chunk 0 with a count of 1, what {@link #save} writes
     * for it), for a caller that sends it in a batch with other writes; given once the bucket is recorded. None when
     * {@link #save} would leave it out: this node saved the blob lately. Tell {@link #savedInBatch} once the batch is
     * written.
     */
    public Mono<BoundStatement> oneRowInsert(BucketName bucketName, BlobId blobId, byte[] data) {
        Preconditions.checkArgument(fitsOneRow(data.length), "a blob of %s bytes is more than one row", data.length);
        if (recentWrites.savedLately(bucketName, blobId)) {
            return Mono.empty();
        }
        return record(bucketName).then(Mono.fromSupplier(() -> insertFirstChunk.bind().setInt(CHUNKS, 1)
            .setString(BUCKET, bucketName.asString())
            .setString(ID, blobId.asString())
            .setInt(CHUNK, 0)
            .setByteBuffer(DATA, ByteBuffer.wrap(data))));
    }

    /** The inserts {@link #oneRowInsert} gave for these blobs were written: they count as saved. */
    public void savedInBatch(BucketName bucketName, BlobId... blobIds) {
        for (BlobId blobId : blobIds) {
            recentWrites.saved(bucketName, blobId);
        }
    }

    /** Chunks 1 onwards as they come, then chunk 0 with the count: the blob exists once its last write is done. */
    private Mono<Void> save(BucketName bucketName, BlobId blobId, Flux<ByteBuffer> chunks) {
        return record(bucketName).then(chunks.index()
            .flatMap(indexed -> indexed.getT1() == 0
                ? Mono.just(indexed)
                : write(insertChunk.bind(), bucketName, blobId, indexed.getT1(), indexed.getT2()).thenReturn(indexed),
                CHUNK_WRITES_AT_ONCE)
            .reduce(Written.NONE, Written::and)
            .flatMap(written -> write(insertFirstChunk.bind().setInt(CHUNKS, Math.max(1, written.chunks())),
                bucketName, blobId, 0, written.first())))
            .doOnSuccess(any -> recentWrites.saved(bucketName, blobId));
    }

    private Mono<Void> record(BucketName bucketName) {
        if (recordedBuckets.contains(bucketName)) {
            return Mono.empty();
        }
        return execute(insertBucket.bind().setString(BUCKET, bucketName.asString()))
            .doOnSuccess(any -> recordedBuckets.add(bucketName));
    }

    /** What a save has written before its chunk 0: how many chunks there are, and chunk 0 itself (empty if none). */
    private record Written(ByteBuffer first, int chunks) {
        static final Written NONE = new Written(ByteBuffer.allocate(0), 0);

        Written and(Tuple2<Long, ByteBuffer> chunk) {
            int position = Math.toIntExact(chunk.getT1());
            return new Written(position == 0 ? chunk.getT2() : first, Math.max(chunks, position + 1));
        }
    }

    private Mono<Void> write(BoundStatement statement, BucketName bucketName, BlobId blobId, long chunk, ByteBuffer data) {
        return execute(statement
            .setString(BUCKET, bucketName.asString())
            .setString(ID, blobId.asString())
            .setInt(CHUNK, Math.toIntExact(chunk))
            .setByteBuffer(DATA, data));
    }

    private Mono<Void> deletePartition(BucketName bucketName, BlobId blobId) {
        return execute(deleteBlob.bind()
            .setString(BUCKET, bucketName.asString())
            .setString(ID, blobId.asString()));
    }

    private Mono<Void> execute(BoundStatement statement) {
        return Mono.fromCompletionStage(() -> session.executeAsync(statement)).then();
    }

    @Override
    public Publisher<Void> delete(BucketName bucketName, BlobId blobId) {
        // Forgotten before and after: a save that ends while the delete runs is not taken for one that stored the blob.
        Mono<Void> forget = Mono.fromRunnable(() -> recentWrites.deleted(bucketName, blobId));
        return forget
            .then(deletePartition(bucketName, blobId))
            .then(Mono.from(before.delete(bucketName, blobId)))
            .then(forget);
    }

    @Override
    public Publisher<Void> delete(BucketName bucketName, Collection<BlobId> blobIds) {
        return Flux.fromIterable(blobIds)
            .flatMap(blobId -> delete(bucketName, blobId), DELETES_AT_ONCE)
            .then();
    }

    @Override
    public Publisher<Void> deleteBucket(BucketName bucketName) {
        Preconditions.checkArgument(!bucketName.equals(BucketName.DEFAULT), "the default bucket is not deleted");
        Mono<Void> forget = Mono.fromRunnable(() -> recentWrites.bucketDeleted(bucketName));
        return forget
            .thenMany(storedIds(bucketName))
            .flatMap(blobId -> deletePartition(bucketName, blobId), DELETES_AT_ONCE)
            .then(execute(deleteBucket.bind().setString(BUCKET, bucketName.asString())))
            .doOnSuccess(any -> recordedBuckets.remove(bucketName))
            .then(Mono.from(before.deleteBucket(bucketName)))
            .then(forget);
    }

    /**
     * The buckets recorded, and those of the blobs stored: a node records a bucket once, so one that another node
     * deleted and this one saved into again is listed by its blobs.
     */
    @Override
    public Publisher<BucketName> listBuckets() {
        return Flux.from(session.executeReactive(selectBuckets.bind()))
            .concatWith(Flux.from(session.executeReactive(selectIds.bind())))
            .map(row -> BucketName.of(row.getString(BUCKET)))
            .concatWith(before.listBuckets())
            .distinct();
    }

    /** This table's blobs, then the store's before it: a blob in both is listed twice, and deleting it twice is harmless. */
    @Override
    public Publisher<BlobId> listBlobs(BucketName bucketName) {
        return storedIds(bucketName).concatWith(before.listBlobs(bucketName));
    }

    private Flux<BlobId> storedIds(BucketName bucketName) {
        return Flux.from(session.executeReactive(selectIds.bind()))
            .filter(row -> bucketName.asString().equals(row.getString(BUCKET)))
            .map(row -> blobIds.from(row.getString(ID)));
    }
}
