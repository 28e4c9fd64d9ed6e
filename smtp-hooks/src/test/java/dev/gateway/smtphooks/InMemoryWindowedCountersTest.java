package dev.gateway.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.gateway.testsupport.ManualClock;

class InMemoryWindowedCountersTest {

    private static final Duration MINUTE = Duration.ofMinutes(1);

    private final ManualClock clock = new ManualClock();
    private final InMemoryWindowedCounters counters = new InMemoryWindowedCounters(clock);

    @Test
    void countsWithinTheWindow() {
        counters.add("ip:192.0.2.1", 1, MINUTE);
        clock.advance(Duration.ofSeconds(59));

        assertThat(counters.add("ip:192.0.2.1", 2, MINUTE)).isEqualTo(3);
        assertThat(counters.get("ip:192.0.2.1")).isEqualTo(3);
    }

    @Test
    void startsAgainFromZeroOnceTheWindowIsOver() {
        counters.add("ip:192.0.2.1", 5, MINUTE);
        clock.advance(MINUTE);

        assertThat(counters.get("ip:192.0.2.1")).isZero();
        assertThat(counters.add("ip:192.0.2.1", 1, MINUTE)).isEqualTo(1);
    }

    @Test
    void keysAreIndependent() {
        counters.add("user:alice@example.test", 4, MINUTE);

        assertThat(counters.get("user:bob@example.test")).isZero();
        assertThat(counters.add("user:bob@example.test", 1, MINUTE)).isEqualTo(1);
    }

    @Test
    void resetForgetsTheKey() {
        counters.add("user:alice@example.test", 4, MINUTE);
        counters.reset("user:alice@example.test");

        assertThat(counters.get("user:alice@example.test")).isZero();
    }

    @Test
    void expiredWindowsAreSweptWhenTheMapGrowsLarge() {
        for (int i = 0; i <= InMemoryWindowedCounters.SWEEP_THRESHOLD; i++) {
            counters.add("ip:" + i, 1, MINUTE);
        }
        clock.advance(MINUTE);
        counters.add("ip:fresh", 1, MINUTE);

        assertThat(counters.size()).isEqualTo(1);
        assertThat(counters.get("ip:fresh")).isEqualTo(1);
    }
}
