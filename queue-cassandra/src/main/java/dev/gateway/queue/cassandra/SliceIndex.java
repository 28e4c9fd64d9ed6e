package dev.gateway.queue.cassandra;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

import reactor.core.publisher.Mono;

/**
 * The slices of one queue's shards that hold mail. A slice is written to the index once per node (before the first
 * mail row that goes into it, so that no row is ever in an unlisted slice), not once per mail; the slices this node
 * wrote are known to its pollers at once, other nodes' slices when the pollers next read the index.
 */
final class SliceIndex {

    private static final Duration FORGET_AFTER = Duration.ofHours(1);

    private final QueueStore store;
    private final String queue;
    private final Map<Integer, NavigableSet<Instant>> written = new ConcurrentHashMap<>();

    SliceIndex(QueueStore store, String queue) {
        this.store = store;
        this.queue = queue;
    }

    Mono<Void> register(int shard, Instant slice) {
        if (known(shard).contains(slice)) {
            return Mono.empty();
        }
        return store.addSlice(queue, shard, slice).doOnSuccess(any -> {
            NavigableSet<Instant> known = known(shard);
            known.add(slice);
            // Slices long past are in the index table if still needed; the memory of them need not grow forever.
            known.headSet(slice.minus(FORGET_AFTER), false).clear();
        });
    }

    /** Slices this node wrote into the shard, not yet forgotten. */
    NavigableSet<Instant> known(int shard) {
        return written.computeIfAbsent(shard, any -> new ConcurrentSkipListSet<>());
    }

    /** Forgets the slices before {@code head}, which the poller has dropped. */
    void dropBefore(int shard, Instant head) {
        known(shard).headSet(head, false).clear();
    }

    Set<Integer> shards() {
        return written.keySet();
    }
}
