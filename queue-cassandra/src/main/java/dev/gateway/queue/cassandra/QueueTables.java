package dev.gateway.queue.cassandra;

import static com.datastax.oss.driver.api.core.type.DataTypes.BIGINT;
import static com.datastax.oss.driver.api.core.type.DataTypes.BLOB;
import static com.datastax.oss.driver.api.core.type.DataTypes.BOOLEAN;
import static com.datastax.oss.driver.api.core.type.DataTypes.INT;
import static com.datastax.oss.driver.api.core.type.DataTypes.TEXT;
import static com.datastax.oss.driver.api.core.type.DataTypes.TIMESTAMP;
import static com.datastax.oss.driver.api.core.type.DataTypes.TIMEUUID;
import static com.datastax.oss.driver.api.core.type.DataTypes.UUID;

import org.apache.james.backends.cassandra.components.CassandraModule;

/**
 * The schema of the Cassandra mail queue, created at start-up when missing (CREATE TABLE IF NOT EXISTS) by James's
 * table manager. See docs/queue-cassandra.md for why it is shaped this way.
 */
public final class QueueTables {

    /** One row per queue: its name (for listing) and its head, the oldest slice that may still hold mail. */
    public static final String QUEUES = "gateway_queues";
    /** Per queue, the slices that hold (or held) mail, in time order; read from the head onwards only. */
    public static final String SLICES = "gateway_queue_slices";
    /** The mails, one partition per queue and slice of due time, FIFO by due time then enqueue time. */
    public static final String MAILS = "gateway_queue_mails";
    /** Who holds a mail being processed (a lease with a TTL), or that it is done. */
    public static final String LEASES = "gateway_queue_leases";
    /** Message bytes, in chunks, referenced from the mail rows. */
    public static final String BLOBS = "gateway_queue_blobs";

    public static final String QUEUE = "queue";
    static final String HEAD = "head";
    static final String SLICE = "slice";
    static final String DUE = "due";
    public static final String ID = "id";
    public static final String METADATA = "metadata";
    static final String BLOB_ID = "blob";
    static final String SIZE = "size";
    static final String ATTEMPT = "attempt";
    static final String ENQUEUED = "enqueued";
    public static final String OWNER = "owner";
    public static final String DONE = "done";
    static final String RELEASE_BLOB = "release_blob";
    static final String CHUNK = "chunk";
    static final String DATA = "data";

    public static final CassandraModule MODULE = CassandraModule.builder()
        .table(QUEUES)
        .comment("Gateway mail queues: name and head slice")
        .statement(statement -> types -> statement
            .withPartitionKey(QUEUE, TEXT)
            .withColumn(HEAD, TIMESTAMP))
        .table(SLICES)
        .comment("Gateway mail queues: slices of due time that hold mail")
        .statement(statement -> types -> statement
            .withPartitionKey(QUEUE, TEXT)
            .withClusteringColumn(SLICE, TIMESTAMP))
        .table(MAILS)
        .comment("Gateway mail queues: queued mails by queue and slice of due time")
        .statement(statement -> types -> statement
            .withPartitionKey(QUEUE, TEXT)
            .withPartitionKey(SLICE, TIMESTAMP)
            .withClusteringColumn(DUE, TIMESTAMP)
            .withClusteringColumn(ID, TIMEUUID)
            .withColumn(METADATA, TEXT)
            .withColumn(BLOB_ID, UUID)
            .withColumn(SIZE, BIGINT)
            .withColumn(ATTEMPT, INT)
            .withColumn(ENQUEUED, TIMESTAMP))
        .table(LEASES)
        .comment("Gateway mail queues: leases of mails being processed, and done markers")
        .statement(statement -> types -> statement
            .withPartitionKey(QUEUE, TEXT)
            .withPartitionKey(ID, TIMEUUID)
            .withColumn(OWNER, TEXT)
            .withColumn(DONE, BOOLEAN)
            .withColumn(RELEASE_BLOB, BOOLEAN))
        .table(BLOBS)
        .comment("Gateway mail queues: message bytes in chunks")
        .statement(statement -> types -> statement
            .withPartitionKey(BLOB_ID, UUID)
            .withClusteringColumn(CHUNK, INT)
            .withColumn(DATA, BLOB))
        .build();

    private QueueTables() {
    }
}
