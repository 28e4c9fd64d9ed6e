package dev.gateway.queue.cassandra;

import static com.datastax.oss.driver.api.core.type.DataTypes.BIGINT;
import static com.datastax.oss.driver.api.core.type.DataTypes.BLOB;
import static com.datastax.oss.driver.api.core.type.DataTypes.INT;
import static com.datastax.oss.driver.api.core.type.DataTypes.TEXT;
import static com.datastax.oss.driver.api.core.type.DataTypes.TIMESTAMP;
import static com.datastax.oss.driver.api.core.type.DataTypes.TIMEUUID;
import static com.datastax.oss.driver.api.core.type.DataTypes.UUID;

import org.apache.james.backends.cassandra.components.CassandraModule;

import com.datastax.oss.driver.api.querybuilder.SchemaBuilder;
import com.datastax.oss.driver.api.querybuilder.schema.compaction.TimeWindowCompactionStrategy.CompactionWindowUnit;

/**
 * The schema of the Cassandra mail queue, created at start-up when missing (CREATE TABLE IF NOT EXISTS) by James's
 * table manager. See docs/queue-cassandra.md for why it is shaped this way.
 */
public final class QueueTables {

    /** One row per queue: its name, for listing. */
    public static final String QUEUES = "gateway_queues";
    /** The live nodes: one row per node, written with a TTL of one lease at every renewal. */
    public static final String NODES = "gateway_queue_nodes";
    /** Who owns a shard of a queue: one row per queue and shard, with a TTL of one lease. */
    public static final String LEASES = "gateway_queue_shard_leases";
    /** Per queue and shard, the oldest slice that may still hold mail. */
    public static final String HEADS = "gateway_queue_shard_heads";
    /** Per queue and shard, the slices that hold (or held) mail, in time order; read from the head onwards only. */
    public static final String SLICES = "gateway_queue_shard_slices";
    /** The mails, one partition per queue, shard and slice of due time, FIFO by due time then enqueue time. */
    public static final String MAILS = "gateway_queue_shard_mails";
    /** Message bytes of mail too large to be kept in its row, in chunks, referenced from the mail rows. */
    public static final String BLOBS = "gateway_queue_blobs";

    public static final String QUEUE = "queue";
    static final String CLUSTER = "cluster";
    public static final String NODE = "node";
    public static final String SHARD = "shard";
    static final String HEAD = "head";
    static final String SLICE = "slice";
    static final String DUE = "due";
    public static final String ID = "id";
    public static final String METADATA = "metadata";
    /** The id of a mail's chunks in {@link #BLOBS} ({@link QueueChunks}), deleted with the mail. */
    public static final String BLOB_ID = "blob";
    /** Where a mail has its bytes when they are neither in its row nor in chunks: its {@link MailBytes} reference. */
    public static final String BYTES_REF = "bytes_ref";
    /** The message bytes of a mail small enough to be kept in its row ({@code cassandra.queue.inline.bytes}). */
    public static final String CONTENT = "content";
    static final String SIZE = "size";
    static final String ATTEMPT = "attempt";
    static final String ENQUEUED = "enqueued";
    public static final String TAKEN = "taken";
    public static final String OWNER = "owner";
    static final String CHUNK = "chunk";
    static final String DATA = "data";

    /**
     * Queue rows live minutes; a deleted row that came back after gc_grace (a replica down longer, never repaired)
     * would be at worst a duplicate in a slice behind every head, never read. Three hours covers Cassandra's hint window.
     */
    static final int QUEUE_GC_GRACE_SECONDS = 3 * 3600;

    public static final CassandraModule MODULE = CassandraModule.builder()
        .table(QUEUES)
        .comment("Gateway mail queues: names")
        .statement(statement -> types -> statement
            .withPartitionKey(QUEUE, TEXT)
            .withColumn(HEAD, TIMESTAMP))
        .table(NODES)
        .comment("Gateway mail queues: live nodes (heartbeats with a TTL)")
        .statement(statement -> types -> statement
            .withPartitionKey(CLUSTER, INT)
            .withClusteringColumn(NODE, TEXT))
        .table(LEASES)
        .comment("Gateway mail queues: shard leases (lightweight transactions with a TTL)")
        .statement(statement -> types -> statement
            .withPartitionKey(QUEUE, TEXT)
            .withPartitionKey(SHARD, INT)
            .withColumn(OWNER, TEXT))
        .table(HEADS)
        .comment("Gateway mail queues: oldest slice of each shard that may hold mail")
        .statement(statement -> types -> statement
            .withPartitionKey(QUEUE, TEXT)
            .withPartitionKey(SHARD, INT)
            .withColumn(HEAD, TIMESTAMP))
        .table(SLICES)
        .comment("Gateway mail queues: slices of due time that hold mail, per shard")
        .options(options -> options.withGcGraceSeconds(QUEUE_GC_GRACE_SECONDS))
        .statement(statement -> types -> statement
            .withPartitionKey(QUEUE, TEXT)
            .withPartitionKey(SHARD, INT)
            .withClusteringColumn(SLICE, TIMESTAMP))
        .table(MAILS)
        .comment("Gateway mail queues: queued mails by queue, shard and slice of due time")
        .options(options -> options
            .withCompaction(SchemaBuilder.timeWindowCompactionStrategy().withCompactionWindow(1, CompactionWindowUnit.HOURS))
            .withGcGraceSeconds(QUEUE_GC_GRACE_SECONDS))
        .statement(statement -> types -> statement
            .withPartitionKey(QUEUE, TEXT)
            .withPartitionKey(SHARD, INT)
            .withPartitionKey(SLICE, TIMESTAMP)
            .withClusteringColumn(DUE, TIMESTAMP)
            .withClusteringColumn(ID, TIMEUUID)
            .withColumn(METADATA, TEXT)
            .withColumn(BLOB_ID, UUID)
            .withColumn(BYTES_REF, TEXT)
            .withColumn(CONTENT, BLOB)
            .withColumn(SIZE, BIGINT)
            .withColumn(ATTEMPT, INT)
            .withColumn(ENQUEUED, TIMESTAMP)
            .withColumn(TAKEN, TEXT))
        .table(BLOBS)
        .comment("Gateway mail queues: message bytes in chunks")
        .options(options -> options
            .withCompaction(SchemaBuilder.timeWindowCompactionStrategy().withCompactionWindow(1, CompactionWindowUnit.HOURS))
            .withGcGraceSeconds(QUEUE_GC_GRACE_SECONDS))
        .statement(statement -> types -> statement
            .withPartitionKey(BLOB_ID, UUID)
            .withClusteringColumn(CHUNK, INT)
            .withColumn(DATA, BLOB))
        .build();

    private QueueTables() {
    }
}
