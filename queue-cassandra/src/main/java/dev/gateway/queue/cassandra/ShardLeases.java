package dev.gateway.queue.cassandra;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.base.Suppliers;
import com.google.common.collect.ImmutableList;

import reactor.core.publisher.Flux;

/**
 * Splits the shards of every queue between the live nodes, with one lightweight transaction per shard taken,
 * renewed or released, and none per mail.
 *
 * <p>At every round (three per lease) the node writes its heartbeat (a row with a TTL of one lease), counts the live
 * nodes, renews the leases it holds, and aims at {@code ceil(shards / live nodes)} shards per queue: below that it
 * takes free shards, and shards still leased to its own name (a restart of this node: it resumes them at once);
 * above it (a node joined) it stops polling its highest shards and releases each once its mail in flight is done.
 */
final class ShardLeases {

    private static final Logger LOGGER = LoggerFactory.getLogger(ShardLeases.class);

    private final QueueStore store;
    private final String node;
    private final Duration lease;
    private final Duration linger;
    private final List<QueueShards> queues = new CopyOnWriteArrayList<>();

    /**
     * @param pollMax how late an idle queue is polled: a node that leaves stays listed among the live nodes for two
     *                polls and a second more, so that a node alone, which skips reading the slice index, sees that
     *                another node was there and reads it, even when that node enqueued into its shards and left
     *                between two of its polls ({@link Dequeuer})
     */
    ShardLeases(QueueStore store, String node, Duration lease, Duration pollMax) {
        this.store = store;
        this.node = node;
        this.lease = lease;
        this.linger = Duration.ofSeconds(pollMax.multipliedBy(2).toSeconds() + 2);
    }

    String node() {
        return node;
    }

    /** Starts balancing a queue, taking this node's share of its shards before returning. */
    synchronized void register(QueueShards shards) {
        queues.add(shards);
        balance(shards, heartbeat());
    }

    /** One round for every queue; run by the factory three times per lease. */
    synchronized void renewAndBalance() {
        int live = heartbeat();
        for (QueueShards shards : queues) {
            try {
                balance(shards, live);
            } catch (RuntimeException e) {
                LOGGER.warn("Could not renew or balance the shards of queue {}; retrying next round", shards.queue(), e);
            }
        }
    }

    private int heartbeat() {
        store.heartbeat(node, lease).block();
        Set<String> live = new java.util.HashSet<>(store.liveNodes().collectList().block());
        live.add(node);
        return live.size();
    }

    private void balance(QueueShards shards, int liveNodes) {
        String queue = shards.queue();
        int target = (shards.count() + liveNodes - 1) / liveNodes;
        List<Integer> all = IntStream.range(0, shards.count()).boxed().collect(ImmutableList.toImmutableList());
        // Read only when needed (a shard to take, a lost shard to name): a node that holds its share already, as a
        // node alone does, renews its leases and reads nothing else.
        Supplier<Map<Integer, String>> owners = Suppliers.memoize(() -> store.owners(queue, all).block());

        // All at once: each renewal is a lightweight transaction, and with the commit log synced before every
        // acknowledgement (commitlog_sync: group) one costs tens of milliseconds; one after the other they made a
        // round take shards x queues times that.
        Map<Integer, Boolean> renewed = Flux.fromIterable(shards.owned())
            .flatMap(shard -> store.renewLease(queue, shard, node, lease).defaultIfEmpty(false)
                .map(applied -> Map.entry(shard, applied)))
            .collectMap(Map.Entry::getKey, Map.Entry::getValue)
            .block();
        renewed.forEach((shard, applied) -> {
            if (!applied) {
                LOGGER.warn("Node {} lost shard {} of queue {} (now {}): mail it is processing there may be delivered twice",
                    node, shard, queue, owners.get().getOrDefault(shard, "free"));
                shards.lost(shard);
            }
        });

        List<Integer> owned = new ArrayList<>(shards.owned());
        owned.sort(Comparator.reverseOrder());
        // The highest shards above the target are handed back; the rest are kept, even if an earlier round (when
        // more nodes were live) had started to hand them back.
        int surplus = owned.size() - target;
        for (int shard : owned) {
            if (surplus > 0) {
                shards.startReleasing(shard);
                surplus--;
            } else {
                shards.keep(shard);
            }
        }
        for (int shard : shards.owned()) {
            if (shards.isReleasing(shard) && shards.drained(shard)) {
                store.releaseLease(queue, shard, node).block();
                shards.lost(shard);
                LOGGER.info("Node {} handed back shard {} of queue {} ({} live nodes)", node, shard, queue, liveNodes);
            }
        }

        for (int shard : all) {
            if (shards.owned().size() >= target) {
                break;
            }
            if (shards.owns(shard)) {
                continue;
            }
            String owner = owners.get().get(shard);
            boolean taken = owner == null
                ? Boolean.TRUE.equals(store.takeLease(queue, shard, node, lease).block())
                : node.equals(owner) && Boolean.TRUE.equals(store.renewLease(queue, shard, node, lease).block());
            if (taken) {
                LOGGER.info("Node {} took shard {} of queue {}{}", node, shard, queue, owner == null ? "" : " back (restart)");
                shards.acquired(shard);
            }
        }
    }

    /**
     * Hands every shard back and leaves (its heartbeat runs out within seconds), so that other nodes take over at
     * their next round rather than after a lease.
     */
    synchronized void releaseAll() {
        for (QueueShards shards : queues) {
            for (int shard : shards.owned()) {
                try {
                    store.releaseLease(shards.queue(), shard, node).block();
                } catch (RuntimeException e) {
                    LOGGER.warn("Could not release shard {} of queue {}; it runs out within a lease", shard, shards.queue(), e);
                }
                shards.lost(shard);
            }
        }
        // Not deleted: shortened to the linger, so that a node alone still sees this one was there (see constructor).
        try {
            store.heartbeat(node, linger).block();
        } catch (RuntimeException e) {
            LOGGER.warn("Could not shorten the heartbeat of node {} to {}; it stays among the live nodes for up to a lease",
                node, linger, e);
        }
    }
}
