package dev.gateway.queue.cassandra;

import java.time.Instant;
import java.util.UUID;

/** One mail row of the queue, without its message bytes. */
record QueuedRow(Instant slice, Instant due, UUID id, String metadata, UUID blobId, long size, int attempt, Instant enqueued) {
}
