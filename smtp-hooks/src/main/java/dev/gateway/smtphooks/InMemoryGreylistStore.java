package dev.gateway.smtphooks;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import javax.inject.Inject;

/**
 * The greylist of one node, in the heap (the memory profile): forgotten on restart, so that senders retrying across a
 * restart are greylisted once more. Expired entries are dropped when read and swept as new ones are added.
 */
public final class InMemoryGreylistStore implements GreylistStore {
    private static final int SWEEP_EVERY = 1024;

    private record Kept<T>(T value, Instant expires) {
    }

    private final Clock clock;
    private final ConcurrentMap<String, Kept<Triplet>> triplets = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, ConcurrentMap<String, Instant>> passesByNetwork = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();

    @Inject
    public InMemoryGreylistStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Optional<Triplet> triplet(String key) {
        Kept<Triplet> kept = triplets.get(key);
        if (kept == null) {
            return Optional.empty();
        }
        if (!kept.expires().isAfter(clock.instant())) {
            triplets.remove(key, kept);
            return Optional.empty();
        }
        return Optional.of(kept.value());
    }

    @Override
    public void firstTry(String key, Instant at, Duration keep) {
        sweepNowAndThen();
        triplets.putIfAbsent(key, new Kept<>(new Triplet(at, false), at.plus(keep)));
    }

    @Override
    public void passed(String key, String clientNetwork, Instant firstTry, Duration keep) {
        sweepNowAndThen();
        Instant expires = clock.instant().plus(keep);
        triplets.put(key, new Kept<>(new Triplet(firstTry, true), expires));
        passesByNetwork.computeIfAbsent(clientNetwork, network -> new ConcurrentHashMap<>()).put(key, expires);
    }

    @Override
    public int passes(String clientNetwork, int atMost) {
        ConcurrentMap<String, Instant> passes = passesByNetwork.get(clientNetwork);
        if (passes == null) {
            return 0;
        }
        Instant now = clock.instant();
        passes.values().removeIf(expires -> !expires.isAfter(now));
        return Math.min(passes.size(), atMost);
    }

    private void sweepNowAndThen() {
        if (writes.incrementAndGet() % SWEEP_EVERY != 0) {
            return;
        }
        Instant now = clock.instant();
        triplets.values().removeIf(kept -> !kept.expires().isAfter(now));
        passesByNetwork.values().forEach(passes -> passes.values().removeIf(expires -> !expires.isAfter(now)));
        passesByNetwork.values().removeIf(java.util.Map::isEmpty);
    }
}
