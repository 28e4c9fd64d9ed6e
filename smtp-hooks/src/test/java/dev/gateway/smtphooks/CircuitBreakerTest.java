package dev.gateway.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    private static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final MutableClock clock = new MutableClock();
    private final CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofSeconds(30), clock);

    @Test
    void opensAfterTheConfiguredConsecutiveFailuresOnly() {
        assertThat(breaker.allowRequest()).isTrue();
        assertThat(breaker.recordFailure()).isFalse();
        assertThat(breaker.allowRequest()).isTrue();
        assertThat(breaker.recordFailure()).isFalse();
        assertThat(breaker.allowRequest()).isTrue();
        assertThat(breaker.recordFailure()).isTrue();

        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(breaker.allowRequest()).isFalse();
    }

    @Test
    void aSuccessResetsTheCount() {
        breaker.recordFailure();
        breaker.recordFailure();
        breaker.recordSuccess();
        breaker.recordFailure();
        breaker.recordFailure();

        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.allowRequest()).isTrue();
    }

    @Test
    void afterTheCoolDownOneTrialIsLetThroughAndItsOutcomeDecides() {
        for (int i = 0; i < 3; i++) {
            breaker.recordFailure();
        }
        clock.now = clock.now.plusSeconds(29);
        assertThat(breaker.allowRequest()).isFalse();

        clock.now = clock.now.plusSeconds(2);
        assertThat(breaker.allowRequest()).isTrue();
        assertThat(breaker.allowRequest()).as("only one trial at a time").isFalse();
        assertThat(breaker.recordFailure()).as("a failed trial opens the circuit again").isTrue();
        assertThat(breaker.allowRequest()).isFalse();

        clock.now = clock.now.plusSeconds(31);
        assertThat(breaker.allowRequest()).isTrue();
        breaker.recordSuccess();
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.allowRequest()).isTrue();
        assertThat(breaker.allowRequest()).isTrue();
    }
}
