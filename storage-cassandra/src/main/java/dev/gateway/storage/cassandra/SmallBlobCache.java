package dev.gateway.storage.cassandra;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Collection;

import org.apache.james.blob.api.BlobId;
import org.apache.james.blob.api.BlobStoreDAO;
import org.apache.james.blob.api.BucketName;
import org.apache.james.blob.api.ObjectNotFoundException;
import org.apache.james.blob.api.ObjectStoreIOException;
import org.reactivestreams.Publisher;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.common.io.ByteSource;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Keeps the small blobs a node has read in its heap, so that the message headers IMAP reads again and again (every
 * {@code FETCH 1:* (FLAGS ENVELOPE)} reads each message's header blob: a Cassandra read per message, two for a blob
 * in James's tables) are read from Cassandra once per node.
 *
 * <p>Why no node can serve stale bytes: {@link BlobStoreDAO}'s contract is that two blobs with the same id have the
 * same content, and the mailbox store names a blob by the SHA-256 of its bytes (the de-duplicating blob store with
 * hash ids), so the bytes behind an id never change, whichever node wrote them. A deleted blob is dropped from this
 * node's cache; another node may keep it, but a blob is deleted only once no message refers to it, and a message
 * stored later with the same bytes gets the same id and the same content.
 *
 * <p>Only blobs up to {@link Settings#maxBlobBytes()} are kept (headers, small bodies); bodies beyond it and every
 * stream read go to Cassandra. The cache is bounded by the bytes it holds ({@link Settings#maxBytes()}), least
 * recently used first out. {@code maxBytes == 0} turns it off.
 */
public final class SmallBlobCache implements BlobStoreDAO {

    /** Byte bound of the whole cache and the largest blob it keeps; immutable. */
    public record Settings(long maxBytes, int maxBlobBytes) {
        public Settings {
            if (maxBytes < 0 || maxBlobBytes < 0) {
                throw new IllegalArgumentException("blob cache sizes must not be negative: " + maxBytes + ", " + maxBlobBytes);
            }
        }

        boolean enabled() {
            return maxBytes > 0 && maxBlobBytes > 0;
        }
    }

    private record Key(BucketName bucket, BlobId blobId) {
    }

    /** A rough per-entry cost beyond the bytes (key, entry, array header), so that tiny blobs are not counted as free. */
    private static final int ENTRY_OVERHEAD = 200;

    private final BlobStoreDAO cassandra;
    private final Settings settings;
    private final Cache<Key, byte[]> cache;

    public SmallBlobCache(BlobStoreDAO cassandra, Settings settings) {
        this.cassandra = cassandra;
        this.settings = settings;
        this.cache = CacheBuilder.newBuilder()
            .maximumWeight(settings.maxBytes())
            .weigher((Key key, byte[] bytes) -> bytes.length + ENTRY_OVERHEAD)
            .build();
    }

    @Override
    public InputStream read(BucketName bucketName, BlobId blobId) throws ObjectStoreIOException, ObjectNotFoundException {
        byte[] cached = cache.getIfPresent(new Key(bucketName, blobId));
        return cached != null ? new ByteArrayInputStream(cached) : cassandra.read(bucketName, blobId);
    }

    @Override
    public Publisher<InputStream> readReactive(BucketName bucketName, BlobId blobId) {
        byte[] cached = cache.getIfPresent(new Key(bucketName, blobId));
        return cached != null ? Mono.just(new ByteArrayInputStream(cached)) : cassandra.readReactive(bucketName, blobId);
    }

    @Override
    public Publisher<byte[]> readBytes(BucketName bucketName, BlobId blobId) {
        Key key = new Key(bucketName, blobId);
        byte[] cached = cache.getIfPresent(key);
        if (cached != null) {
            return Mono.just(cached);
        }
        return Mono.from(cassandra.readBytes(bucketName, blobId))
            .doOnNext(bytes -> remember(key, bytes));
    }

    private void remember(Key key, byte[] bytes) {
        if (settings.enabled() && bytes.length <= settings.maxBlobBytes()) {
            cache.put(key, bytes);
        }
    }

    @Override
    public Publisher<Void> save(BucketName bucketName, BlobId blobId, byte[] data) {
        return cassandra.save(bucketName, blobId, data);
    }

    @Override
    public Publisher<Void> save(BucketName bucketName, BlobId blobId, InputStream inputStream) {
        return cassandra.save(bucketName, blobId, inputStream);
    }

    @Override
    public Publisher<Void> save(BucketName bucketName, BlobId blobId, ByteSource content) {
        return cassandra.save(bucketName, blobId, content);
    }

    @Override
    public Publisher<Void> delete(BucketName bucketName, BlobId blobId) {
        return Mono.from(cassandra.delete(bucketName, blobId))
            .doFinally(any -> cache.invalidate(new Key(bucketName, blobId)));
    }

    @Override
    public Publisher<Void> delete(BucketName bucketName, Collection<BlobId> blobIds) {
        return Mono.from(cassandra.delete(bucketName, blobIds))
            .doFinally(any -> blobIds.forEach(blobId -> cache.invalidate(new Key(bucketName, blobId))));
    }

    @Override
    public Publisher<Void> deleteBucket(BucketName bucketName) {
        return Mono.from(cassandra.deleteBucket(bucketName))
            .doFinally(any -> cache.asMap().keySet().removeIf(key -> key.bucket().equals(bucketName)));
    }

    @Override
    public Publisher<BucketName> listBuckets() {
        return Flux.from(cassandra.listBuckets());
    }

    @Override
    public Publisher<BlobId> listBlobs(BucketName bucketName) {
        return Flux.from(cassandra.listBlobs(bucketName));
    }
}
