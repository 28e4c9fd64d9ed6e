package dev.gateway.queue.cassandra;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.common.collect.ImmutableSet;

/**
 * What this node holds of one queue: the shards it owns (and polls), those it is handing back (no longer polled,
 * released once their mail in flight is done), and the mail it is processing right now.
 */
final class QueueShards {

    /** Longer than any read may take (the request timeout), so that no poll in progress can still return the row. */
    static final Duration FINISHED_MEMORY = Duration.ofMinutes(2);

    private final String queue;
    private final int count;
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    private final Set<Integer> releasing = ConcurrentHashMap.newKeySet();
    private final Map<UUID, QueuedRow> inFlight = new ConcurrentHashMap<>();
    private final Cache<UUID, Boolean> finished = CacheBuilder.newBuilder().expireAfterWrite(FINISHED_MEMORY).build();
    private volatile Runnable onAcquired = () -> { };

    QueueShards(String queue, int count) {
        this.queue = queue;
        this.count = count;
    }

    String queue() {
        return queue;
    }

    int count() {
        return count;
    }

    /** The shards to poll: owned and not being handed back. */
    Set<Integer> polled() {
        return owned.stream().filter(shard -> !releasing.contains(shard)).collect(ImmutableSet.toImmutableSet());
    }

    /** Whether {@code shard} is polled here: owned and not being handed back. */
    boolean polls(int shard) {
        return owned.contains(shard) && !releasing.contains(shard);
    }

    Set<Integer> owned() {
        return ImmutableSet.copyOf(owned);
    }

    boolean owns(int shard) {
        return owned.contains(shard);
    }

    void acquired(int shard) {
        releasing.remove(shard);
        if (owned.add(shard)) {
            onAcquired.run();
        }
    }

    void lost(int shard) {
        owned.remove(shard);
        releasing.remove(shard);
    }

    void startReleasing(int shard) {
        releasing.add(shard);
    }

    void keep(int shard) {
        releasing.remove(shard);
    }

    boolean isReleasing(int shard) {
        return releasing.contains(shard);
    }

    boolean drained(int shard) {
        return inFlight.values().stream().noneMatch(row -> row.shard() == shard);
    }

    /** Called when a shard is added, so that pollers look at it at once. */
    void onAcquired(Runnable action) {
        this.onAcquired = action;
    }

    /**
     * Remembers a mail this node finished, before it leaves the in-flight set: a poll that read its row just before
     * the delete must not hand it out again.
     */
    void finished(UUID id) {
        finished.put(id, true);
    }

    /** The mail could not be finished after all (its delete failed): it may be taken again. */
    void unfinished(UUID id) {
        finished.invalidate(id);
    }

    boolean isFinished(UUID id) {
        return finished.getIfPresent(id) != null;
    }

    /**
     * Marks a mail in flight unless it already is or was just finished: the one way for a poll to take a row.
     * In flight first, then the check: {@link #finished} is set before the in-flight mark goes.
     */
    boolean take(QueuedRow row) {
        if (inFlight.putIfAbsent(row.id(), row) != null) {
            return false;
        }
        if (isFinished(row.id())) {
            inFlight.remove(row.id());
            return false;
        }
        return true;
    }

    Map<UUID, QueuedRow> inFlight() {
        return inFlight;
    }
}
