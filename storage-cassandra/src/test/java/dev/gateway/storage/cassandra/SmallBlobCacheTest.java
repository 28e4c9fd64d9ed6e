package dev.gateway.storage.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.blob.api.BlobId;
import org.apache.james.blob.api.BlobStoreDAO;
import org.apache.james.blob.api.BucketName;
import org.apache.james.blob.api.HashBlobId;
import org.apache.james.blob.api.ObjectNotFoundException;
import org.apache.james.blob.memory.MemoryBlobStoreDAO;
import org.junit.jupiter.api.Test;

import reactor.core.publisher.Mono;

class SmallBlobCacheTest {

    private static final BucketName BUCKET = BucketName.DEFAULT;
    private static final byte[] HEADER = "From: a@example.com\r\nSubject: hi\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** James's in-heap blob store, counting the reads that reach it (what Cassandra would have served). */
    private static final class CountingStore extends MemoryBlobStoreDAO {
        final AtomicInteger reads = new AtomicInteger();

        @Override
        public Mono<byte[]> readBytes(BucketName bucketName, BlobId blobId) {
            reads.incrementAndGet();
            return super.readBytes(bucketName, blobId);
        }
    }

    private final CountingStore store = new CountingStore();
    private final BlobId headerId = new HashBlobId.Factory().forPayload(HEADER);

    private byte[] read(BlobStoreDAO dao, BlobId id) {
        return Mono.from(dao.readBytes(BUCKET, id)).block();
    }

    @Test
    void aSmallBlobIsReadFromTheStoreOnce() {
        SmallBlobCache cache = new SmallBlobCache(store, new SmallBlobCache.Settings(1 << 20, 8192));
        Mono.from(cache.save(BUCKET, headerId, HEADER)).block();

        assertThat(read(cache, headerId)).isEqualTo(HEADER);
        assertThat(read(cache, headerId)).isEqualTo(HEADER);
        assertThat(read(cache, headerId)).isEqualTo(HEADER);

        assertThat(store.reads).hasValue(1);
    }

    @Test
    void aBlobAboveTheLimitIsReadEveryTime() {
        SmallBlobCache cache = new SmallBlobCache(store, new SmallBlobCache.Settings(1 << 20, HEADER.length - 1));
        Mono.from(cache.save(BUCKET, headerId, HEADER)).block();

        read(cache, headerId);
        read(cache, headerId);

        assertThat(store.reads).hasValue(2);
    }

    @Test
    void aDeletedBlobIsNotServedFromTheCache() {
        SmallBlobCache cache = new SmallBlobCache(store, new SmallBlobCache.Settings(1 << 20, 8192));
        Mono.from(cache.save(BUCKET, headerId, HEADER)).block();
        read(cache, headerId);

        Mono.from(cache.delete(BUCKET, headerId)).block();

        assertThatThrownBy(() -> read(cache, headerId)).isInstanceOf(ObjectNotFoundException.class);
    }

    @Test
    void sizeZeroTurnsTheCacheOff() {
        SmallBlobCache cache = new SmallBlobCache(store, new SmallBlobCache.Settings(0, 8192));
        Mono.from(cache.save(BUCKET, headerId, HEADER)).block();

        read(cache, headerId);
        read(cache, headerId);

        assertThat(store.reads).hasValue(2);
    }

    @Test
    void theCacheHoldsNoMoreThanItsBytes() {
        SmallBlobCache cache = new SmallBlobCache(store, new SmallBlobCache.Settings(4096, 8192));
        for (int i = 0; i < 100; i++) {
            byte[] blob = ("Subject: message " + i + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            BlobId id = new HashBlobId.Factory().forPayload(blob);
            Mono.from(cache.save(BUCKET, id, blob)).block();
            read(cache, id);
        }
        int afterFilling = store.reads.get();

        BlobId first = new HashBlobId.Factory().forPayload("Subject: message 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        read(cache, first);

        // 100 entries of ~220 bytes do not fit in 4 KB: the oldest was evicted and is read again.
        assertThat(store.reads).hasValue(afterFilling + 1);
    }
}
