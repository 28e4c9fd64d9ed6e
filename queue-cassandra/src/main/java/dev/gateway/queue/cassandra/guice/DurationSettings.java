package dev.gateway.queue.cassandra.guice;

import java.time.Duration;

import org.apache.commons.configuration2.Configuration;
import org.apache.james.util.DurationParser;

/**
 * How Gateway's Cassandra modules read a duration setting ({@code 2s}, {@code 500ms}, ...): here, beside the queue's
 * module, because the queue and the storage modules both read durations and storage-cassandra already depends on
 * this module (for {@code CassandraConnection}), not the other way round.
 */
public final class DurationSettings {

    /** The setting when present, else {@code fallback} as it is (no round trip through text). */
    public static Duration duration(Configuration configuration, String key, Duration fallback) {
        String value = configuration.getString(key, null);
        return value == null ? fallback : DurationParser.parse(value);
    }

    private DurationSettings() {
    }
}
