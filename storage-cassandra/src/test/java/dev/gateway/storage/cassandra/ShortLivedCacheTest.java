package dev.gateway.storage.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;


import reactor.core.publisher.Mono;

class ShortLivedCacheTest {

    private final TestClock clock = new TestClock();
    private final AtomicInteger lookups = new AtomicInteger();

    private Boolean lookUp() {
        lookups.incrementAndGet();
        return true;
    }

    @Test
    void aSecondAskWithinTheBoundIsAnsweredWithoutALookup() {
        ShortLivedCache<String, Boolean> cache = new ShortLivedCache<>(Duration.ofSeconds(5), 100, clock);

        cache.get("alice", this::lookUp);
        clock.advance(Duration.ofMillis(4_999));
        cache.get("alice", this::lookUp);

        assertThat(lookups).hasValue(1);
    }

    @Test
    void anAnswerExpiresAtTheBound() {
        ShortLivedCache<String, Boolean> cache = new ShortLivedCache<>(Duration.ofSeconds(5), 100, clock);

        cache.get("alice", this::lookUp);
        clock.advance(Duration.ofSeconds(5));
        cache.get("alice", this::lookUp);

        assertThat(lookups).hasValue(2);
    }

    @Test
    void zeroTurnsItOff() {
        ShortLivedCache<String, Boolean> cache = new ShortLivedCache<>(Duration.ZERO, 100, clock);

        cache.get("alice", this::lookUp);
        cache.get("alice", this::lookUp);
        Mono.from(cache.getReactive("alice", () -> Mono.fromCallable(this::lookUp))).block();

        assertThat(lookups).hasValue(3);
    }

    @Test
    void keysAreCachedApart() {
        ShortLivedCache<String, Boolean> cache = new ShortLivedCache<>(Duration.ofSeconds(5), 100, clock);

        cache.get("alice", this::lookUp);
        cache.get("bob", this::lookUp);

        assertThat(lookups).hasValue(2);
    }

    @Test
    void invalidatingMakesTheNextAskALookup() {
        ShortLivedCache<String, Boolean> cache = new ShortLivedCache<>(Duration.ofSeconds(5), 100, clock);

        cache.get("alice", this::lookUp);
        cache.invalidateAll();
        cache.get("alice", this::lookUp);

        assertThat(lookups).hasValue(2);
    }

    @Test
    void anAnswerReadWhileAWriteHappenedIsNotKept() {
        ShortLivedCache<String, Boolean> cache = new ShortLivedCache<>(Duration.ofSeconds(5), 100, clock);

        // The write lands between the lookup's start and its answer: the answer may predate it.
        cache.get("alice", () -> {
            lookups.incrementAndGet();
            cache.invalidateAll();
            return false;
        });
        cache.get("alice", this::lookUp);

        assertThat(lookups).hasValue(2);
    }

    @Test
    void failuresAreNotKept() {
        ShortLivedCache<String, Boolean> cache = new ShortLivedCache<>(Duration.ofSeconds(5), 100, clock);

        assertThatThrownBy(() -> cache.get("alice", () -> {
            lookups.incrementAndGet();
            throw new IOException("Cassandra timed out");
        })).isInstanceOf(IOException.class);
        cache.get("alice", this::lookUp);

        assertThat(lookups).hasValue(2);
    }

    @Test
    void reactiveAsksShareTheCacheAndExpire() {
        ShortLivedCache<String, Boolean> cache = new ShortLivedCache<>(Duration.ofSeconds(5), 100, clock);

        assertThat(cache.getReactive("alice", () -> Mono.fromCallable(this::lookUp)).block()).isTrue();
        assertThat(cache.get("alice", this::lookUp)).isTrue();
        assertThat(lookups).hasValue(1);

        clock.advance(Duration.ofSeconds(5));
        cache.getReactive("alice", () -> Mono.fromCallable(this::lookUp)).block();
        assertThat(lookups).hasValue(2);
    }

    @Test
    void aNegativeTtlIsRefused() {
        assertThatThrownBy(() -> new ShortLivedCache<String, Boolean>(Duration.ofSeconds(-1), 100, clock))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
