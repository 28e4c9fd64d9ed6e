package dev.gateway.storage.cassandra;

import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.blob.api.BlobId;
import org.apache.james.blob.api.BlobStore;
import org.apache.james.blob.api.BucketName;
import org.apache.james.blob.api.ObjectNotFoundException;
import org.apache.james.server.blob.deduplication.GenerationAwareBlobId;

import com.google.common.primitives.Bytes;

import dev.gateway.queue.cassandra.MailBytes;

import reactor.core.publisher.Mono;

/**
 * The bytes of a queued mail in the mailboxes' de-duplicating blob store, split as a mailbox stores a message: its
 * header (up to and including the first blank line) and its body, each saved through the same {@link BlobStore},
 * bucket and id factory as the mailboxes. A mailbox given the same message, with headers added in front as local
 * delivery adds {@code Return-Path} and {@code Delivered-To}, computes the same id for the body, and the blob store's
 * DAO does not write again a blob this node has just written ({@link RecentBlobWrites}): the message's body is written
 * once, by the queue.
 *
 * <p>The queue deletes nothing here: bytes in this store may be used by a mailbox, so they are only ever deleted by the
 * blob collection, once no mailbox message and no queued mail ({@link QueuedMailBlobReferenceSource}) refers to them,
 * and never while they are of the current or the previous generation ({@link GenerationAwareBlobId}). A mail that
 * moves ({@link #refresh}) keeps its blobs if they are of the current generation, and gets a copy of them written now
 * if not: a collection run that lists the queue while a row moves can miss the new row, but not delete its blobs,
 * which stay of a kept generation for a whole generation (a day by default) after the move; runs that start after
 * it find the row.
 *
 * <p>It reads the bytes back from the blobs' rows ({@link PartitionPerBlobStoreDAO}), not through the node's cache of
 * small blobs ({@link SmallBlobCache}): a queued mail's header is read once, at delivery, and no mailbox uses it (local
 * delivery stores the header with {@code Return-Path} and {@code Delivered-To} in front, another blob; a relayed mail
 * is in no mailbox), so the cache would keep it only to push out the headers IMAP reads again and again.
 *
 * <p>The reference is the header's id and the body's id, separated by a space (ids are hashes with a generation in
 * front, {@code 1_20789_<base64>}, and hold none).
 */
public final class SharedBlobStoreBytes implements MailBytes {

    private static final byte[] HEADER_END = {'\r', '\n', '\r', '\n'};
    private static final String SEPARATOR = " ";

    private final BlobStore blobStore;
    private final PartitionPerBlobStoreDAO storedBlobs;
    private final BlobId.Factory blobIds;
    private final BucketName bucket;
    private final GenerationAwareBlobId.Configuration generations;
    private final Clock clock;

    /**
     * @param blobStore the mailboxes' blob store, which saves
     * @param storedBlobs the blobs' rows under it, which reads without filling the node's cache
     * @param generations the generations the blob collection keeps (the ids of the blob store's own factory)
     */
    @Inject
    public SharedBlobStoreBytes(BlobStore blobStore, PartitionPerBlobStoreDAO storedBlobs, BlobId.Factory blobIds,
                                GenerationAwareBlobId.Configuration generations, Clock clock) {
        this.blobStore = blobStore;
        this.storedBlobs = storedBlobs;
        this.blobIds = blobIds;
        this.bucket = blobStore.getDefaultBucketName();
        this.generations = generations;
        this.clock = clock;
    }

    @Override
    public Mono<String> write(byte[] content) {
        int bodyStart = bodyStartOctet(content);
        byte[] header = Arrays.copyOfRange(content, 0, bodyStart);
        byte[] body = Arrays.copyOfRange(content, bodyStart, content.length);
        // The policies are James's mailbox's (header SIZE_BASED, body LOW_COST); the de-duplicating store ignores them.
        return Mono.zip(Mono.from(blobStore.save(bucket, header, BlobStore.StoragePolicy.SIZE_BASED)),
                Mono.from(blobStore.save(bucket, body, BlobStore.StoragePolicy.LOW_COST)))
            .map(ids -> ids.getT1().asString() + SEPARATOR + ids.getT2().asString());
    }

    @Override
    public Mono<byte[]> read(String reference) {
        List<BlobId> ids = blobIds(reference).orElseThrow(() -> new IllegalArgumentException(
            "not a reference to a header and a body in the blob store: " + reference));
        return Mono.zip(Mono.from(storedBlobs.readBytes(bucket, ids.get(0))),
                Mono.from(storedBlobs.readBytes(bucket, ids.get(1))))
            .map(parts -> Bytes.concat(parts.getT1(), parts.getT2()))
            // Only the collection deletes these bytes; a mail whose bytes are gone reads as one deleted meanwhile.
            .onErrorResume(ObjectNotFoundException.class, gone -> Mono.just(new byte[0]));
    }

    @Override
    public Mono<String> refresh(String reference) {
        if (ofCurrentGeneration(reference)) {
            return Mono.just(reference);
        }
        return read(reference).flatMap(bytes -> bytes.length == 0 ? Mono.just(reference) : write(bytes));
    }

    /**
     * Whether both blobs will still be of a kept generation one generation from now, which only blobs of the current
     * one will: the collection keeps the current generation and the previous one.
     */
    private boolean ofCurrentGeneration(String reference) {
        Instant oneGenerationOn = clock.instant().plus(generations.getDuration());
        return blobIds(reference).orElse(List.of()).stream()
            .allMatch(id -> id instanceof GenerationAwareBlobId generationAware
                && generationAware.inActiveGeneration(generations, oneGenerationOn));
    }

    /** The header's and the body's ids in {@code reference}, when it is one this class wrote. */
    Optional<List<BlobId>> blobIds(String reference) {
        String[] ids = reference.split(SEPARATOR, -1);
        if (ids.length != 2 || ids[0].isEmpty() || ids[1].isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(List.of(blobIds.from(ids[0]), blobIds.from(ids[1])));
    }

    /**
     * Where the body starts: just after the first CRLF CRLF, as James's mailbox splits a message it appends
     * ({@code BodyOffsetInputStream}); 0 when there is none, as there, so that such a message is all body.
     */
    static int bodyStartOctet(byte[] content) {
        int at = Bytes.indexOf(content, HEADER_END);
        return at < 0 ? 0 : at + HEADER_END.length;
    }
}
