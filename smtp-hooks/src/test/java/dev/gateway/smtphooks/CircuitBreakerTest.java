package dev.gateway.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.gateway.testsupport.ManualClock;

class CircuitBreakerTest {

    private final ManualClock clock = new ManualClock();
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
        clock.advance(Duration.ofSeconds(29));
        assertThat(breaker.allowRequest()).isFalse();

        clock.advance(Duration.ofSeconds(2));
        assertThat(breaker.allowRequest()).isTrue();
        assertThat(breaker.allowRequest()).as("only one trial at a time").isFalse();
        assertThat(breaker.recordFailure()).as("a failed trial opens the circuit again").isTrue();
        assertThat(breaker.allowRequest()).isFalse();

        clock.advance(Duration.ofSeconds(31));
        assertThat(breaker.allowRequest()).isTrue();
        breaker.recordSuccess();
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.allowRequest()).isTrue();
        assertThat(breaker.allowRequest()).isTrue();
    }
}
