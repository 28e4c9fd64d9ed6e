package dev.gateway.queue.cassandra;

import java.time.Instant;
import java.util.Comparator;
import java.util.UUID;

import com.datastax.oss.driver.api.core.uuid.Uuids;

/** One mail row of the queue, without its message bytes; {@code taken} names the node that last dequeued it. */
record QueuedRow(int shard, Instant slice, Instant due, UUID id, String metadata, UUID blobId, long size, int attempt,
                 Instant enqueued, String taken) {

    /** Queue order: due time, then enqueue time (the time-based id), as Cassandra orders a partition. */
    static final Comparator<QueuedRow> ORDER = Comparator.comparing(QueuedRow::due)
        .thenComparingLong(row -> Uuids.unixTimestamp(row.id()))
        .thenComparing(QueuedRow::id);

    QueuedRow movedTo(int newShard, Instant newSlice, Instant newDue, UUID newId, int newAttempt) {
        return new QueuedRow(newShard, newSlice, newDue, newId, metadata, blobId, size, newAttempt, enqueued, null);
    }
}
