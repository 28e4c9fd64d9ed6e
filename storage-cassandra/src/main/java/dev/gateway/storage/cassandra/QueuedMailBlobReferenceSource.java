package dev.gateway.storage.cassandra;

import java.util.List;

import javax.inject.Inject;

import org.apache.james.blob.api.BlobId;
import org.apache.james.blob.api.BlobReferenceSource;
import org.reactivestreams.Publisher;

import dev.gateway.queue.cassandra.CassandraMailQueueFactory;

/**
 * The blobs queued mail keeps its bytes in ({@link SharedBlobStoreBytes}), for the blob collection: a mail retried for
 * longer than two generations (a remote server refusing it for days) has blobs old enough to be collected, and
 * would lose its bytes without this. Every queue, shard and slice is read, whichever node owns it; references that
 * {@link SharedBlobStoreBytes} did not write (none on a keyspace whose nodes all run the cluster profile) are skipped.
 */
public final class QueuedMailBlobReferenceSource implements BlobReferenceSource {

    private final CassandraMailQueueFactory queues;
    private final SharedBlobStoreBytes bytes;

    @Inject
    public QueuedMailBlobReferenceSource(CassandraMailQueueFactory queues, SharedBlobStoreBytes bytes) {
        this.queues = queues;
        this.bytes = bytes;
    }

    @Override
    public Publisher<BlobId> listReferencedBlobs() {
        return queues.bytesReferences()
            .flatMapIterable(reference -> bytes.blobIds(reference).orElse(List.of()));
    }
}
