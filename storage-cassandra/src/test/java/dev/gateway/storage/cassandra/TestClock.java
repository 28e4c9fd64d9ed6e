package dev.gateway.storage.cassandra;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import com.google.common.base.Ticker;

/** A clock the test moves: cache entries expire without the test waiting. */
final class TestClock extends Ticker {

    private final AtomicLong nanos = new AtomicLong();

    void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    @Override
    public long read() {
        return nanos.get();
    }
}
