package dev.gateway.storage.cassandra.guice;

import static dev.gateway.queue.cassandra.guice.DurationSettings.duration;

import java.io.FileNotFoundException;
import java.nio.file.Path;
import java.time.Duration;

import javax.inject.Singleton;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.backends.cassandra.components.CassandraModule;
import org.apache.james.utils.PropertiesProvider;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;

import dev.gateway.routing.RoutingTableException;
import dev.gateway.routing.RoutingTableParser;
import dev.gateway.routing.RoutingTableStore;
import dev.gateway.storage.cassandra.CassandraRoutingTableVersions;

/**
 * The routing table of a node that keeps its data in Cassandra: one versioned table for every node on the keyspace,
 * seeded from the node's file when none is stored, and polled every {@code cassandra.routing.poll} (default 2 s)
 * so that a change made through any node is in force on all of them within that (docs/routing.md). Binds the
 * {@link RoutingTableStore} (overriding the single-node one) and adds the versions' table to the keyspace; reads
 * {@code cassandra.routing.poll} from {@code cassandra.properties} and the table file it is given (routing.yaml).
 */
public final class CassandraRoutingModule extends AbstractModule {

    static final Duration DEFAULT_POLL = Duration.ofSeconds(2);

    private final Path table;

    public CassandraRoutingModule(Path table) {
        this.table = table;
    }

    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), CassandraModule.class).addBinding().toInstance(CassandraRoutingTableVersions.MODULE);
    }

    @Provides
    @Singleton
    RoutingTableStore routingTableStore(CassandraRoutingTableVersions versions, PropertiesProvider properties)
            throws RoutingTableException, ConfigurationException, FileNotFoundException {
        Duration poll = duration(properties.getConfiguration("cassandra"), "cassandra.routing.poll", DEFAULT_POLL);
        RoutingTableStore store = RoutingTableStore.shared(table, RoutingTableParser.forServer(table), versions);
        Polling.every(poll, "routing-table-poll", "routing table", store::refresh);
        return store;
    }
}
