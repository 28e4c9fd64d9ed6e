package dev.gateway.smtphooks;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Stops calling a dependency that keeps failing, so that its timeout is not added to every message: after
 * {@code maxConsecutiveFailures} failures in a row the circuit opens and {@link #allowRequest()} answers false for
 * {@code coolDown}; then one trial request is let through (half-open): a success closes the circuit, a failure opens
 * it for another cool-down. Thread-safe.
 */
public final class CircuitBreaker {

    public enum State { CLOSED, OPEN, HALF_OPEN }

    private final int maxConsecutiveFailures;
    private final Duration coolDown;
    private final Clock clock;

    private int consecutiveFailures;
    private Instant openUntil = Instant.MIN;
    private boolean trialInFlight;

    public CircuitBreaker(int maxConsecutiveFailures, Duration coolDown, Clock clock) {
        if (maxConsecutiveFailures < 1) {
            throw new IllegalArgumentException("maxConsecutiveFailures must be at least 1");
        }
        this.maxConsecutiveFailures = maxConsecutiveFailures;
        this.coolDown = coolDown;
        this.clock = clock;
    }

    /** True when the caller may call the dependency now; every true must be followed by a success or failure. */
    public synchronized boolean allowRequest() {
        if (consecutiveFailures < maxConsecutiveFailures) {
            return true;
        }
        if (clock.instant().isBefore(openUntil) || trialInFlight) {
            return false;
        }
        trialInFlight = true;
        return true;
    }

    public synchronized void recordSuccess() {
        consecutiveFailures = 0;
        trialInFlight = false;
        openUntil = Instant.MIN;
    }

    /** Returns true when this failure opened the circuit (it was closed or half-open). */
    public synchronized boolean recordFailure() {
        boolean wasOpen = consecutiveFailures >= maxConsecutiveFailures && !trialInFlight;
        consecutiveFailures = Math.min(consecutiveFailures + 1, maxConsecutiveFailures);
        trialInFlight = false;
        if (consecutiveFailures >= maxConsecutiveFailures && !wasOpen) {
            openUntil = clock.instant().plus(coolDown);
            return true;
        }
        return false;
    }

    public synchronized State state() {
        if (consecutiveFailures < maxConsecutiveFailures) {
            return State.CLOSED;
        }
        return clock.instant().isBefore(openUntil) && !trialInFlight ? State.OPEN : State.HALF_OPEN;
    }
}
