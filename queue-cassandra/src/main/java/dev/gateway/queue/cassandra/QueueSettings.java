package dev.gateway.queue.cassandra;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

import com.google.common.base.Preconditions;

/**
 * How the Cassandra mail queue splits a queue into shards, leases them, slices time and retries mail. Every node
 * sharing a queue must use the same {@code shards} and {@code sliceLength}; the rest may differ per node.
 *
 * @param shards how many shards each queue is split into; the unit of ownership between nodes
 * @param sliceLength width of a time slice: one partition per queue, shard and slice of due time
 * @param grace how long after its end a slice may still receive mail (enqueues in flight, clock skew between nodes);
 *        a slice is forgotten only once it is empty and older than this
 * @param lease how long a node owns a shard after its last renewal; a dead node's shards are taken over after it
 * @param pollMin delay before looking again after a poll found nothing, doubling up to {@code pollMax}; a local
 *        enqueue wakes the poller at once
 * @param pollMax the longest delay between two polls of an idle queue (how late another node's mail may be seen)
 * @param retryDelay delay before a mail handed back with RETRY is due again, doubled per attempt up to
 *        {@code retryDelayMax}
 * @param retryDelayMax the longest retry delay
 * @param chunkSize bytes per blob chunk
 * @param inlineMax a mail whose bytes are at most this long is kept in its row: one write to enqueue it, no read of
 *        its bytes to dequeue it, one delete to finish it; longer mail is written in chunks beside the row. Rows read
 *        ahead by a poll are held in memory with their bytes, so this bounds what read-ahead costs in heap
 */
public record QueueSettings(int shards, Duration sliceLength, Duration grace, Duration lease, Duration pollMin,
                            Duration pollMax, Duration retryDelay, Duration retryDelayMax, int chunkSize, int inlineMax) {

    /**
     * The largest chunk: a chunk is one write, and Cassandra refuses a write larger than half a commit-log segment,
     * 4 MiB with the 8 MiB segments of cassandra/cassandra.yaml. 2 MiB leaves room for the row around the bytes.
     */
    public static final int MAX_CHUNK_BYTES = 2 * 1024 * 1024;
    /** The most mail bytes a row may hold; rows read ahead are held in heap with their bytes. */
    public static final int MAX_INLINE_BYTES = 1024 * 1024;

    public static final QueueSettings DEFAULT = new QueueSettings(8, Duration.ofSeconds(10), Duration.ofSeconds(60),
        Duration.ofSeconds(30), Duration.ofMillis(50), Duration.ofSeconds(1),
        Duration.ofSeconds(1), Duration.ofMinutes(5), 256 * 1024, 16 * 1024);

    public QueueSettings {
        Objects.requireNonNull(sliceLength);
        Preconditions.checkArgument(shards >= 1 && shards <= 1024, "shards must be 1 to 1024, was %s", shards);
        Preconditions.checkArgument(sliceLength.toMillis() >= 1000, "slice length must be at least 1 s, was %s", sliceLength);
        Preconditions.checkArgument(!grace.isNegative(), "grace must not be negative, was %s", grace);
        Preconditions.checkArgument(lease.toSeconds() >= 3, "lease must be at least 3 s, was %s", lease);
        Preconditions.checkArgument(!pollMin.isNegative() && !pollMin.isZero(), "poll delay must be positive");
        Preconditions.checkArgument(pollMax.compareTo(pollMin) >= 0, "pollMax must be at least pollMin");
        Preconditions.checkArgument(!retryDelay.isNegative(), "retry delay must not be negative");
        Preconditions.checkArgument(retryDelayMax.compareTo(retryDelay) >= 0, "retryDelayMax must be at least retryDelay");
        Preconditions.checkArgument(chunkSize >= 1024 && chunkSize <= MAX_CHUNK_BYTES, "chunk size must be 1 KiB to %s bytes, was %s",
            MAX_CHUNK_BYTES, chunkSize);
        Preconditions.checkArgument(inlineMax >= 0 && inlineMax <= MAX_INLINE_BYTES, "inline bytes must be 0 to %s, was %s",
            MAX_INLINE_BYTES, inlineMax);
    }

    public QueueSettings withLease(Duration newLease) {
        return new QueueSettings(shards, sliceLength, grace, newLease, pollMin, pollMax, retryDelay, retryDelayMax, chunkSize,
            inlineMax);
    }

    /** The same settings, keeping mail of at most {@code bytes} in its row (0: every mail's bytes in chunks). */
    public QueueSettings withInlineMax(int bytes) {
        return new QueueSettings(shards, sliceLength, grace, lease, pollMin, pollMax, retryDelay, retryDelayMax, chunkSize,
            bytes);
    }

    /** Leases are renewed, and shares rebalanced, three times per lease. */
    Duration renewalPeriod() {
        return Duration.ofMillis(Math.max(1000, lease.toMillis() / 3));
    }

    /** The slice holding mail due at {@code instant}: its start, a multiple of the slice length. */
    Instant sliceOf(Instant instant) {
        long length = sliceLength.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(instant.toEpochMilli(), length) * length);
    }

    /** Delay before the given attempt (1 = first retry). */
    Duration retryDelayFor(int attempt) {
        long factor = 1L << Math.min(Math.max(attempt - 1, 0), 20);
        Duration delay = retryDelay.multipliedBy(factor);
        return delay.compareTo(retryDelayMax) > 0 ? retryDelayMax : delay;
    }
}
