package dev.gateway.queue.cassandra;

import java.time.Instant;
import java.util.Comparator;
import java.util.UUID;

import com.datastax.oss.driver.api.core.uuid.Uuids;

/**
 * One mail row of the queue; {@code taken} names the node that last dequeued it. Its message bytes are where
 * {@code bytesRef} says ({@link MailBytes}), or in the queue's chunks under {@code blobId} (a row written before
 * {@link MailBytes}), or, when both are null, in the row itself (small mail). Polls read rows without those bytes, so
 * {@code content} holds them only where they are at hand: a row this node has just written, or one whose bytes were
 * read to hand it out.
 */
record QueuedRow(int shard, Instant slice, Instant due, UUID id, String metadata, UUID blobId, String bytesRef,
                 byte[] content, long size, int attempt, Instant enqueued, String taken) {

    /** Queue order: due time, then enqueue time (the time-based id), as Cassandra orders a partition. */
    static final Comparator<QueuedRow> ORDER = Comparator.comparing(QueuedRow::due)
        .thenComparingLong(row -> Uuids.unixTimestamp(row.id()))
        .thenComparing(QueuedRow::id);

    QueuedRow movedTo(int newShard, Instant newSlice, Instant newDue, UUID newId, int newAttempt) {
        return new QueuedRow(newShard, newSlice, newDue, newId, metadata, blobId, bytesRef, content, size, newAttempt,
            enqueued, null);
    }

    /** Whether the message bytes are in the row rather than stored apart. */
    boolean bytesInRow() {
        return blobId == null && bytesRef == null;
    }

    /** Whether {@code bytes}, read for this mail, say it was deleted: none came back where it had some. */
    boolean bytesGone(byte[] bytes) {
        return bytes.length == 0 && size > 0;
    }

    QueuedRow withContent(byte[] bytes) {
        return new QueuedRow(shard, slice, due, id, metadata, blobId, bytesRef, bytes, size, attempt, enqueued, taken);
    }

    QueuedRow withBytesRef(String reference) {
        return new QueuedRow(shard, slice, due, id, metadata, blobId, reference, content, size, attempt, enqueued, taken);
    }

    QueuedRow takenBy(String node) {
        return new QueuedRow(shard, slice, due, id, metadata, blobId, bytesRef, content, size, attempt, enqueued, node);
    }

    QueuedRow withoutContent() {
        return content == null ? this : withContent(null);
    }
}
