package dev.gateway.storage.cassandra;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import org.apache.james.blob.api.BlobId;
import org.apache.james.blob.api.BucketName;
import org.apache.james.server.blob.deduplication.GenerationAwareBlobId;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;

/**
 * The blobs this node saved lately, so that {@link PartitionPerBlobStoreDAO} does not write one again: the queue saves
 * a large mail's body ({@link SharedBlobStoreBytes}), and the mailbox that local delivery appends it to saves the same
 * body under the same id moments later; a body delivered to ten users is saved ten times. James's de-duplicating store
 * writes every time.
 *
 * <p>Why a blob remembered here is still stored: its id is the hash of its bytes with the generation it was saved in
 * ({@link GenerationAwareBlobId}), so the same id is the same bytes, and a save that asks for it again computed it now,
 * so it is of the current generation. Nothing deletes a blob but the blob collection and {@code delete} (which forgets
 * it here), and the collection never deletes a blob of the current or the previous generation. Ids without a
 * generation of the configured family (ids from before generations, or a store's other ids) carry no such promise and
 * are always written.
 *
 * <p>Bounded: {@value #MAX_BLOBS} blobs, each for {@link #WINDOW}. A blob forgotten sooner is only written again.
 * An entry costs about 210 bytes of heap (the id's string, its key, the cache's entry), and a delivered mail makes
 * two, or three when the queue keeps its bytes here (the queue's header and body, the mailbox's header): 20,000 are
 * 4 MB and 27 s of such mail at 250 a second, far longer than the queue takes to hand a mail to local delivery.
 * 100,000 are about 21 MB of live heap, which the collector sizes the heap around (docs/storage-cassandra.md).
 */
public final class RecentBlobWrites {

    /** Long enough for local delivery (the queue's write, then the mailbox's), short enough to hold little. */
    public static final Duration WINDOW = Duration.ofMinutes(10);
    public static final long MAX_BLOBS = 20_000;

    private final Optional<GenerationAwareBlobId.Configuration> generations;
    private final Clock clock;
    private final Cache<Key, Boolean> saved = CacheBuilder.newBuilder()
        .expireAfterWrite(WINDOW)
        .maximumSize(MAX_BLOBS)
        .build();

    /** @param generations the generations the blob collection keeps (the ids of the blob store's own factory) */
    public RecentBlobWrites(GenerationAwareBlobId.Configuration generations, Clock clock) {
        this(Optional.of(generations), clock);
    }

    /** Remembers nothing: every save writes (a store whose ids are not generation-aware content hashes). */
    public static RecentBlobWrites none() {
        return new RecentBlobWrites(Optional.empty(), Clock.systemUTC());
    }

    private RecentBlobWrites(Optional<GenerationAwareBlobId.Configuration> generations, Clock clock) {
        this.generations = generations;
        this.clock = clock;
    }

    /** Whether a save of {@code blobId} may be left out: this node saved it lately, and it is of a kept generation. */
    boolean savedLately(BucketName bucket, BlobId blobId) {
        return kept(blobId) && saved.getIfPresent(key(bucket, blobId)) != null;
    }

    /** Called once a save of {@code blobId} has succeeded. */
    void saved(BucketName bucket, BlobId blobId) {
        if (kept(blobId)) {
            saved.put(key(bucket, blobId), Boolean.TRUE);
        }
    }

    void deleted(BucketName bucket, BlobId blobId) {
        saved.invalidate(key(bucket, blobId));
    }

    void bucketDeleted(BucketName bucket) {
        saved.asMap().keySet().removeIf(key -> key.bucket().equals(bucket));
    }

    private boolean kept(BlobId blobId) {
        return blobId instanceof GenerationAwareBlobId generationAware
            && generations.map(configuration -> generationAware.inActiveGeneration(configuration, clock.instant()))
                .orElse(false);
    }

    private static Key key(BucketName bucket, BlobId blobId) {
        return new Key(bucket, blobId.asString());
    }

    private record Key(BucketName bucket, String blobId) {
    }
}
