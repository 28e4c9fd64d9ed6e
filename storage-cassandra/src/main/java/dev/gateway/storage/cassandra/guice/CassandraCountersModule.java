package dev.gateway.storage.cassandra.guice;

import java.io.FileNotFoundException;

import javax.inject.Provider;
import javax.inject.Singleton;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.backends.cassandra.components.CassandraModule;
import org.apache.james.utils.PropertiesProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;

import dev.gateway.smtphooks.InMemoryWindowedCounters;
import dev.gateway.smtphooks.WindowedCounters;
import dev.gateway.storage.cassandra.CassandraWindowedCounters;

/**
 * The lockout and sending-limit counters of a node that keeps its data in Cassandra: in Cassandra, shared by every
 * node on the keyspace ({@link CassandraWindowedCounters}), unless {@code cassandra.policy.counters.shared} is
 * false, when each node counts in its own heap as the memory profile does (docs/smtp-hooks/shared-counters.md).
 * Binds {@link WindowedCounters} (overriding the heap-only one) and adds the counters' table to the keyspace; reads
 * {@code cassandra.policy.counters.shared} (default true) from {@code cassandra.properties}.
 */
public final class CassandraCountersModule extends AbstractModule {

    private static final Logger LOGGER = LoggerFactory.getLogger(CassandraCountersModule.class);

    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), CassandraModule.class).addBinding().toInstance(CassandraWindowedCounters.MODULE);
    }

    @Provides
    @Singleton
    WindowedCounters counters(PropertiesProvider properties, Provider<CassandraWindowedCounters> shared,
                              InMemoryWindowedCounters heap) throws ConfigurationException, FileNotFoundException {
        if (properties.getConfiguration("cassandra").getBoolean("cassandra.policy.counters.shared", true)) {
            LOGGER.info("Lockout and sending-limit counters: shared in Cassandra");
            return shared.get();
        }
        LOGGER.info("Lockout and sending-limit counters: in this node's heap (cassandra.policy.counters.shared=false)");
        return heap;
    }
}
