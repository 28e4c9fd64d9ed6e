package dev.gateway.storage.cassandra;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.reactivestreams.Publisher;

import com.google.common.cache.Cache;
import com.google.common.base.Ticker;
import com.google.common.cache.CacheBuilder;

import reactor.core.publisher.Mono;

/**
 * Answers of a lookup kept for a short, bounded time: what the cluster profile's domain, user, rewrite-rule and
 * active-Sieve-script lookups use so that a delivered message does not read the same rows from Cassandra at every
 * SMTP hook and mailet.
 *
 * <p>Why the bound is the whole promise: another node's change is not seen until the entry expires ({@code ttl}
 * after it was read). A change made through this node is seen at once: the decorators call {@link #invalidateAll()}
 * after every write, and an answer read while a write was under way is not kept (the write counter below), so it
 * cannot outlive the write that made it stale. A {@code ttl} of zero keeps nothing: every call is a lookup.
 */
public final class ShortLivedCache<K, V> {

    /** A lookup that may fail with the checked exception of the API it serves. */
    @FunctionalInterface
    public interface Lookup<V, E extends Exception> {
        V load() throws E;
    }

    private final Optional<Cache<K, V>> cache;
    // Incremented before every invalidation: an answer loaded across an increment may be older than the write.
    private final AtomicLong writes = new AtomicLong();

    public ShortLivedCache(Duration ttl, long maxEntries) {
        this(ttl, maxEntries, Ticker.systemTicker());
    }

    /** With the clock the expiry is measured on (a test's, to expire entries without waiting). */
    public ShortLivedCache(Duration ttl, long maxEntries, Ticker ticker) {
        if (ttl.isNegative() || maxEntries < 0) {
            throw new IllegalArgumentException("a lookup cache needs a ttl and a size of at least 0: " + ttl + ", " + maxEntries);
        }
        this.cache = ttl.isZero() || maxEntries == 0
            ? Optional.empty()
            : Optional.of(CacheBuilder.newBuilder().ticker(ticker).expireAfterWrite(ttl).maximumSize(maxEntries).build());
    }

    public <E extends Exception> V get(K key, Lookup<V, E> lookup) throws E {
        if (cache.isEmpty()) {
            return lookup.load();
        }
        V cached = cache.get().getIfPresent(key);
        if (cached != null) {
            return cached;
        }
        long before = writes.get();
        V loaded = lookup.load();
        keep(key, loaded, before);
        return loaded;
    }

    public Mono<V> getReactive(K key, Supplier<Publisher<V>> lookup) {
        if (cache.isEmpty()) {
            return Mono.from(lookup.get());
        }
        return Mono.defer(() -> {
            V cached = cache.get().getIfPresent(key);
            if (cached != null) {
                return Mono.just(cached);
            }
            long before = writes.get();
            return Mono.from(lookup.get()).doOnNext(loaded -> keep(key, loaded, before));
        });
    }

    /** After a write through this node: nothing read before it is served again. */
    public void invalidateAll() {
        writes.incrementAndGet();
        cache.ifPresent(Cache::invalidateAll);
    }

    private void keep(K key, V loaded, long writesBefore) {
        Cache<K, V> entries = cache.orElseThrow();
        entries.put(key, loaded);
        // Checked after the put: a write between the load and here either cleared the entry or is seen now.
        if (writes.get() != writesBefore) {
            entries.invalidate(key);
        }
    }
}
