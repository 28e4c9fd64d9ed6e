package dev.gateway.smtphooks;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import javax.inject.Inject;

/**
 * {@link WindowedCounters} in this JVM's heap: right for one gateway node. Expired windows are dropped as they are
 * met, and all of them whenever the map grows past {@link #SWEEP_THRESHOLD}, so a stream of one-off keys (every
 * IP address of a scan) cannot grow the map without bound.
 */
public final class InMemoryWindowedCounters implements WindowedCounters {

    static final int SWEEP_THRESHOLD = 100_000;

    private record Window(Instant end, long count) {
        boolean isOver(Instant now) {
            return !now.isBefore(end);
        }
    }

    private final Clock clock;
    private final ConcurrentMap<String, Window> windows = new ConcurrentHashMap<>();

    @Inject
    public InMemoryWindowedCounters(Clock clock) {
        this.clock = clock;
    }

    @Override
    public long add(String key, long amount, Duration window) {
        Instant now = clock.instant();
        if (windows.size() > SWEEP_THRESHOLD) {
            windows.values().removeIf(existing -> existing.isOver(now));
        }
        return windows.compute(key, (k, existing) -> existing == null || existing.isOver(now)
                ? new Window(now.plus(window), amount)
                : new Window(existing.end(), existing.count() + amount))
            .count();
    }

    @Override
    public long get(String key) {
        Instant now = clock.instant();
        Window window = windows.get(key);
        if (window == null || window.isOver(now)) {
            return 0;
        }
        return window.count();
    }

    @Override
    public void reset(String key) {
        windows.remove(key);
    }

    /** Keys held, expired or not. */
    int size() {
        return windows.size();
    }
}
