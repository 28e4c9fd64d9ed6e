package dev.gateway.testsupport;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock the test moves by hand, so windows, cool-downs and poll delays are tested without waiting. Safe to read
 * from other threads (a queue's pollers) while the test moves it.
 */
public final class ManualClock extends Clock {

    private final AtomicReference<Instant> now;

    public ManualClock() {
        this(Instant.parse("2026-11-23T10:00:00Z"));
    }

    public ManualClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    public void advance(Duration duration) {
        now.updateAndGet(instant -> instant.plus(duration));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
