package dev.gateway.smtphooks;

import java.time.Duration;

/**
 * Counts events per key within a time window: failed logins per IP, messages per user per hour. The SMTP hooks
 * only talk to this interface so that several gateway nodes can later share their counters (a Cassandra or
 * Redis implementation) without the hooks changing; {@link InMemoryWindowedCounters} serves one node.
 *
 * <p>A window opens with the first event of a key and lasts {@code window}; the count starts again from zero
 * after it (a fixed window per key, as Postfix's anvil counts).
 */
public interface WindowedCounters {

    /** Adds {@code amount} events to {@code key} and returns the count in the key's current window. */
    long add(String key, long amount, Duration window);

    /** The count in the key's current window, zero when there is none. */
    long get(String key);

    /** Forgets the key. */
    void reset(String key);
}
