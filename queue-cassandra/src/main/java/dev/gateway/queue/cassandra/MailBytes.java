package dev.gateway.queue.cassandra;

import reactor.core.publisher.Mono;

/**
 * A store outside the queue for the message bytes of mail too large to be kept in its queue row; the row keeps only the
 * reference {@link #write} gave. Without one the queue keeps them in its own chunks ({@link QueueChunks}) and deletes
 * them with the mail; the cluster profile keeps them in the mailboxes' de-duplicating blob store, so that local
 * delivery reuses them rather than writing the message a second time (docs/queue-cassandra.md).
 *
 * <p>The queue never deletes bytes kept here: they may be shared, and the store deletes them itself, once nothing uses
 * them; {@link CassandraMailQueueFactory#bytesReferences} lists what queued mail uses.
 */
public interface MailBytes {

    /** Stores {@code content}; the reference to keep in the mail's row, once the bytes are in Cassandra. */
    Mono<String> write(byte[] content);

    /**
     * The bytes stored under {@code reference}; an empty array when they are gone (the mail was finished or removed),
     * which the queue reads as a mail deleted since its row was read.
     */
    Mono<byte[]> read(String reference);

    /**
     * The reference a mail's new row keeps when the mail moves (a retry, a flush): {@code reference}, or that of a
     * copy of its bytes written now. A store that deletes what nothing refers to lists references by reading the
     * queue's rows, and a listing can miss a row written behind it while it reads; bytes that such a deletion could
     * take while it runs must be copied here, so that the new row refers to bytes it will not take.
     */
    Mono<String> refresh(String reference);
}
