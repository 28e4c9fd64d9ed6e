package dev.gateway.queue.cassandra;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import org.apache.james.backends.cassandra.components.CassandraModule;
import org.apache.james.backends.cassandra.init.CassandraTableManager;
import org.apache.james.backends.cassandra.init.CassandraTypesProvider;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.google.common.base.Preconditions;

/**
 * Where Gateway's Cassandra is and how to open a session on it, with the keyspace and tables created when missing
 * (idempotent: CREATE ... IF NOT EXISTS, so every node may do it at every start).
 *
 * @param contactPoints one or more nodes of the cluster
 * @param localDatacenter the datacenter the gateway talks to (a single node's is {@code datacenter1})
 * @param keyspace the keyspace holding Gateway's tables
 * @param replicationFactor replication of a keyspace this creates (SimpleStrategy); an existing one is left alone
 * @param requestTimeout how long a query may take before it fails
 */
public record CassandraConnection(List<InetSocketAddress> contactPoints, String localDatacenter, String keyspace,
                                  int replicationFactor, Duration requestTimeout) {

    static final int CONNECTIONS_PER_NODE = 2;
    static final int REQUESTS_PER_CONNECTION = 8192;

    public CassandraConnection {
        Preconditions.checkArgument(!contactPoints.isEmpty(), "at least one Cassandra contact point is needed");
        Preconditions.checkArgument(keyspace.matches("[a-zA-Z][a-zA-Z0-9_]{0,47}"), "invalid keyspace name '%s'", keyspace);
        Preconditions.checkArgument(replicationFactor >= 1, "replication factor must be at least 1");
        contactPoints = List.copyOf(contactPoints);
    }

    /** Parses {@code host:port,host:port}; a missing port means 9042. */
    public static List<InetSocketAddress> parseContactPoints(String value) {
        return java.util.Arrays.stream(value.split(","))
            .map(String::trim)
            .filter(part -> !part.isEmpty())
            .map(part -> {
                int colon = part.lastIndexOf(':');
                return colon < 0
                    ? InetSocketAddress.createUnresolved(part, 9042)
                    : InetSocketAddress.createUnresolved(part.substring(0, colon), Integer.parseInt(part.substring(colon + 1)));
            })
            .map(address -> new InetSocketAddress(address.getHostString(), address.getPort()))
            .toList();
    }

    /** Opens a session on the keyspace, creating it and the given tables first when they are missing. */
    public CqlSession open(CassandraModule tables) {
        // Before any component that holds this session makes a time UUID from several threads.
        TimeUuids.prepare();
        DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, requestTimeout)
            .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, requestTimeout)
            .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, requestTimeout)
            .withString(DefaultDriverOption.REQUEST_CONSISTENCY, "LOCAL_QUORUM")
            .withString(DefaultDriverOption.REQUEST_SERIAL_CONSISTENCY, "LOCAL_SERIAL")
            // The driver's defaults (one connection per node, 1,024 requests in flight on it) refuse a request at once
            // with NodeUnavailableException when full; it never queues. James's IMAP FETCH 1:* issues a few queries
            // per message, so 50 clients reading 500-message mailboxes failed commands (944 in 45 s, bench
            // compare-imap). Two connections of 8,192 streams each (the protocol allows 32,768) keep that in flight.
            .withInt(DefaultDriverOption.CONNECTION_POOL_LOCAL_SIZE, CONNECTIONS_PER_NODE)
            .withInt(DefaultDriverOption.CONNECTION_MAX_REQUESTS, REQUESTS_PER_CONNECTION)
            .build();
        try (CqlSession bootstrap = CqlSession.builder().addContactPoints(contactPoints).withLocalDatacenter(localDatacenter)
                .withConfigLoader(config).build()) {
            bootstrap.execute("CREATE KEYSPACE IF NOT EXISTS " + keyspace + " WITH replication = "
                + "{'class': 'SimpleStrategy', 'replication_factor': " + replicationFactor + "}");
        }
        CqlSession session = CqlSession.builder().addContactPoints(contactPoints).withLocalDatacenter(localDatacenter)
            .withConfigLoader(config).withKeyspace(CqlIdentifier.fromCql(keyspace)).build();
        try {
            new CassandraTableManager(tables, session).initializeTables(new CassandraTypesProvider(session));
            return session;
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }
}
