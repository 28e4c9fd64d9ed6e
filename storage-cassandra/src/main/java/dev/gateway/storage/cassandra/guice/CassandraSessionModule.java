package dev.gateway.storage.cassandra.guice;

import java.io.FileNotFoundException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import javax.inject.Singleton;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.backends.cassandra.components.CassandraModule;
import org.apache.james.util.DurationParser;
import org.apache.james.utils.PropertiesProvider;

import org.apache.james.backends.cassandra.init.CassandraZonedDateTimeModule;
import org.apache.james.backends.cassandra.init.configuration.CassandraConfiguration;
import org.apache.james.backends.cassandra.versions.CassandraSchemaVersionManager;
import org.apache.james.backends.cassandra.versions.CassandraSchemaVersionModule;
import org.apache.james.mailbox.store.BatchSizes;

import com.codahale.metrics.MetricRegistry;
import com.datastax.oss.driver.api.core.CqlSession;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.multibindings.Multibinder;

import dev.gateway.queue.cassandra.CassandraAccess;
import dev.gateway.queue.cassandra.CassandraConnection;

/**
 * One Cassandra session for everything Gateway keeps in Cassandra, opened at start-up with the keyspace and every
 * table created when missing, and the schema version checked ({@link CassandraSchema}). Modules that keep data in Cassandra add their tables with
 * {@code Multibinder.newSetBinder(binder(), CassandraModule.class).addBinding().toInstance(...)}.
 * Read from {@code cassandra.properties} (docs/configuration.md): {@code cassandra.nodes}, {@code cassandra.local.datacenter},
 * {@code cassandra.keyspace}, {@code cassandra.replication.*}, {@code cassandra.request.timeout},
 * {@code cassandra.schema.timeout}, {@code cassandra.consistency*}, {@code cassandra.username}/{@code password},
 * {@code cassandra.ssl.*}, and James's own DAO tuning. Binds the {@link CqlSession}, the {@link CassandraConnection}, James's {@link CassandraConfiguration},
 * {@link BatchSizes} and {@link CassandraSchemaVersionManager}.
 */
public final class CassandraSessionModule extends AbstractModule {

    @Override
    protected void configure() {
        Multibinder<CassandraModule> tables = Multibinder.newSetBinder(binder(), CassandraModule.class);
        tables.addBinding().toInstance(CassandraSchemaVersionModule.MODULE);
        tables.addBinding().toInstance(CassandraZonedDateTimeModule.MODULE);
        bind(CassandraSchemaVersionManager.class).in(Scopes.SINGLETON);
    }

    /** James's tuning of its Cassandra DAOs (consistency levels, chunk sizes...), from the same file; defaults otherwise. */
    @Provides
    @Singleton
    CassandraConfiguration jamesConfiguration(PropertiesProvider properties) throws ConfigurationException, FileNotFoundException {
        return CassandraConfiguration.from(properties.getConfiguration("cassandra"));
    }

    @Provides
    @Singleton
    BatchSizes batchSizes() {
        return BatchSizes.defaultValues();
    }

    @Provides
    @Singleton
    CassandraConnection connection(PropertiesProvider properties) throws ConfigurationException, FileNotFoundException {
        Configuration configuration = properties.getConfiguration("cassandra");
        return new CassandraConnection(
            CassandraConnection.parseContactPoints(configuration.getString("cassandra.nodes", "127.0.0.1:9042")),
            configuration.getString("cassandra.local.datacenter", "datacenter1"),
            configuration.getString("cassandra.keyspace", "gateway"),
            configuration.getInt("cassandra.replication.factor", 1),
            DurationParser.parse(configuration.getString("cassandra.request.timeout", "10s")),
            schemaTimeout(configuration),
            CassandraConnection.parseDatacenterReplication(configuration.getString("cassandra.replication.datacenters", "")),
            access(configuration),
            configuration.getString("cassandra.consistency", CassandraConnection.DEFAULT_CONSISTENCY).trim().toUpperCase(Locale.ROOT),
            configuration.getString("cassandra.consistency.serial", CassandraConnection.DEFAULT_SERIAL_CONSISTENCY).trim()
                .toUpperCase(Locale.ROOT));
    }

    /** {@code cassandra.schema.timeout}: CREATE and ALTER statements at start-up, not bound by a query's timeout. */
    static Duration schemaTimeout(Configuration configuration) {
        return nonBlank(configuration, "cassandra.schema.timeout").map(DurationParser::parse)
            .orElse(CassandraConnection.DEFAULT_SCHEMA_TIMEOUT);
    }

    /** Credentials when a user name is set; TLS when a trust store is. */
    static CassandraAccess access(Configuration configuration) {
        Optional<CassandraAccess.Credentials> credentials = nonBlank(configuration, "cassandra.username")
            .map(username -> new CassandraAccess.Credentials(username, configuration.getString("cassandra.password", "")));
        Optional<CassandraAccess.Tls> tls = nonBlank(configuration, "cassandra.ssl.truststore")
            .map(trustStore -> new CassandraAccess.Tls(Path.of(trustStore),
                configuration.getString("cassandra.ssl.truststore.password", ""),
                nonBlank(configuration, "cassandra.ssl.keystore").map(Path::of),
                configuration.getString("cassandra.ssl.keystore.password", ""),
                configuration.getBoolean("cassandra.ssl.hostname.verification", true)));
        return new CassandraAccess(credentials, tls);
    }

    private static Optional<String> nonBlank(Configuration configuration, String key) {
        return Optional.ofNullable(configuration.getString(key, null)).map(String::trim).filter(value -> !value.isEmpty());
    }

    @Provides
    @Singleton
    CqlSession session(CassandraConnection connection, Set<CassandraModule> tables, MetricRegistry metrics) {
        // CassandraConnection creates tables but not the user-defined types James's mailbox tables use.
        CqlSession session = connection.open(CassandraModule.EMPTY_MODULE);
        try {
            CassandraSchema.update(session, Cassandra5Tables.compatible(CassandraModule.aggregateModules(tables)));
            // The driver's request latency on /metrics, as James's CassandraMetricsModule (not in 3.8.1's jars) does.
            session.getMetrics().ifPresent(driver -> metrics.registerAll(driver.<MetricRegistry>getRegistry()));
            return session;
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }
}
