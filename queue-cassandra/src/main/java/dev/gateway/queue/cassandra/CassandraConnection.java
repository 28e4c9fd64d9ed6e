package dev.gateway.queue.cassandra;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.james.backends.cassandra.components.CassandraModule;
import org.apache.james.backends.cassandra.init.CassandraTableManager;
import org.apache.james.backends.cassandra.init.CassandraTypesProvider;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.auth.AuthenticationException;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.google.common.base.Preconditions;

/**
 * Where Gateway's Cassandra is and how to open a session on it, with the keyspace and tables created when missing
 * (idempotent: CREATE ... IF NOT EXISTS, so every node may do it at every start).
 *
 * @param contactPoints one or more nodes of the cluster
 * @param localDatacenter the datacenter the gateway talks to (a single node's is {@code datacenter1})
 * @param keyspace the keyspace holding Gateway's tables
 * @param replicationFactor replication of a keyspace this creates with SimpleStrategy (no datacenter listed in
 *        {@code datacenterReplication}); an existing keyspace is left alone
 * @param requestTimeout how long a query may take before it fails
 * @param schemaTimeout how long a schema statement (CREATE, ALTER) may take, and the wait for the nodes to agree on the
 *        schema after it: a DDL statement rewrites and flushes Cassandra's schema tables, which on a loaded machine
 *        takes far longer than a query and happens only at start-up
 * @param datacenterReplication replication factor per datacenter of a keyspace this creates with
 *        NetworkTopologyStrategy; empty for SimpleStrategy
 * @param access credentials and TLS ({@link CassandraAccess#NONE}: neither)
 * @param consistency the consistency level of every query (LOCAL_QUORUM: a node reads what another wrote)
 * @param serialConsistency that of lightweight transactions (LOCAL_SERIAL)
 */
public record CassandraConnection(List<InetSocketAddress> contactPoints, String localDatacenter, String keyspace,
                                  int replicationFactor, Duration requestTimeout, Duration schemaTimeout,
                                  Map<String, Integer> datacenterReplication,
                                  CassandraAccess access, String consistency, String serialConsistency) {

    static final int CONNECTIONS_PER_NODE = 1;
    static final int REQUESTS_PER_CONNECTION = 16384;
    /**
     * The execution profile James's CassandraTable and CassandraType create the schema in; Gateway's own schema
     * statements (the keyspace, a column added to an existing table) run in it too.
     */
    static final String SCHEMA_PROFILE = "TABLE_CREATION";
    /** The default of {@code cassandra.schema.timeout}: what shipped as the least a CREATE got since 2026-11-30. */
    public static final Duration DEFAULT_SCHEMA_TIMEOUT = Duration.ofMinutes(2);
    /** Longest wait between two attempts to reconnect to a node that went down. */
    static final Duration RECONNECTION_MAX_DELAY = Duration.ofSeconds(2);
    public static final String DEFAULT_CONSISTENCY = "LOCAL_QUORUM";
    public static final String DEFAULT_SERIAL_CONSISTENCY = "LOCAL_SERIAL";

    public CassandraConnection {
        Preconditions.checkArgument(!contactPoints.isEmpty(), "at least one Cassandra contact point is needed");
        Preconditions.checkArgument(keyspace.matches("[a-zA-Z][a-zA-Z0-9_]{0,47}"), "invalid keyspace name '%s'", keyspace);
        Preconditions.checkArgument(replicationFactor >= 1, "replication factor must be at least 1");
        Preconditions.checkArgument(!schemaTimeout.isNegative() && !schemaTimeout.isZero(),
            "the schema timeout must be positive");
        datacenterReplication.forEach((datacenter, factor) -> {
            Preconditions.checkArgument(datacenter.matches("[A-Za-z0-9_.-]+"), "invalid datacenter name '%s'", datacenter);
            Preconditions.checkArgument(factor >= 1, "replication factor of datacenter %s must be at least 1", datacenter);
        });
        // Refused here, at start-up, rather than at the first query.
        DefaultConsistencyLevel.valueOf(consistency);
        DefaultConsistencyLevel.valueOf(serialConsistency);
        contactPoints = List.copyOf(contactPoints);
        // In the operator's order: Map.copyOf's iteration order changes from one JVM to the next.
        datacenterReplication = Collections.unmodifiableMap(new LinkedHashMap<>(datacenterReplication));
    }

    /**
     * A single-datacenter connection without authentication or TLS, at the default consistency levels and schema
     * timeout.
     */
    public CassandraConnection(List<InetSocketAddress> contactPoints, String localDatacenter, String keyspace,
                               int replicationFactor, Duration requestTimeout) {
        this(contactPoints, localDatacenter, keyspace, replicationFactor, requestTimeout, DEFAULT_SCHEMA_TIMEOUT, Map.of(),
            CassandraAccess.NONE, DEFAULT_CONSISTENCY, DEFAULT_SERIAL_CONSISTENCY);
    }

    /** Parses {@code dc1:3,dc2:3}; empty means none. */
    public static Map<String, Integer> parseDatacenterReplication(String value) {
        Map<String, Integer> factors = new LinkedHashMap<>();
        for (String part : value.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int colon = part.lastIndexOf(':');
            Preconditions.checkArgument(colon > 0, "expected datacenter:factor, not '%s'", part.trim());
            factors.put(part.substring(0, colon).trim(), Integer.parseInt(part.substring(colon + 1).trim()));
        }
        return factors;
    }

    /** The replication clause of a keyspace this creates. */
    String replication() {
        if (datacenterReplication.isEmpty()) {
            return "{'class': 'SimpleStrategy', 'replication_factor': " + replicationFactor + "}";
        }
        return datacenterReplication.entrySet().stream()
            .map(entry -> "'" + entry.getKey() + "': " + entry.getValue())
            .collect(Collectors.joining(", ", "{'class': 'NetworkTopologyStrategy', ", "}"));
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

    /** The driver's settings: timeouts, consistency levels, the connection pool. */
    DriverConfigLoader driverConfig() {
        return DriverConfigLoader.programmaticBuilder()
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, requestTimeout)
            .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, requestTimeout)
            // After each schema statement the driver waits for the nodes to agree on the schema (10 s by default),
            // then reads the changed schema back from system_schema, the tables the statement just flushed.
            .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, schemaTimeout)
            .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, schemaTimeout)
            .withString(DefaultDriverOption.REQUEST_CONSISTENCY, consistency)
            .withString(DefaultDriverOption.REQUEST_SERIAL_CONSISTENCY, serialConsistency)
            // The driver's defaults (one connection per node, 1,024 requests in flight on it) refuse a request at once
            // with NodeUnavailableException when full; it never queues. James's IMAP FETCH 1:* issues a few queries
            // per message, so 50 clients reading 500-message mailboxes failed commands (944 in 45 s, bench
            // compare-imap). One connection of 16,384 streams (the protocol allows 32,768) keeps that in flight; it
            // was two of 8,192 until 2026-12-04. One costs less CPU per delivered 2 KB mail: more requests share each
            // flush and each read on both sides (docs/benchmarks.md, "One driver connection per node").
            .withInt(DefaultDriverOption.CONNECTION_POOL_LOCAL_SIZE, CONNECTIONS_PER_NODE)
            .withInt(DefaultDriverOption.CONNECTION_MAX_REQUESTS, REQUESTS_PER_CONNECTION)
            // The latency of every request and the client-side timeouts, in the session's Dropwizard registry, which
            // the server exports on /metrics as cassandra_cql_requests and cassandra_cql_client_timeouts.
            .withString(DefaultDriverOption.SESSION_NAME, "cassandra")
            .withStringList(DefaultDriverOption.METRICS_SESSION_ENABLED, List.of("cql-requests", "cql-client-timeouts"))
            // The driver retries a node that went down after 1 s, 2 s, 4 s ... up to 60 s by default: after a
            // minute's outage the gateway kept refusing mail (451) and delivering nothing for up to a minute after
            // Cassandra was back (25 s measured, CassandraCrashIT). A connection attempt every 2 s costs nothing.
            .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(500))
            .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, RECONNECTION_MAX_DELAY)
            // James creates its tables in the execution profile TABLE_CREATION and, when the configuration has none,
            // with a fixed 10 s request timeout (JamesExecutionProfiles): the "Query timed out after PT10S" of first
            // starts on a busy machine. Each statement rewrites and flushes Cassandra's schema tables (four flushes
            // per CREATE TABLE): 0.2-2 s each at load 10-19 on 2 cores, 20-36 s for a new keyspace, once per start.
            // A timeout of its own, not a mail's (docs/storage-cassandra.md#schema-creation-and-upgrades).
            .startProfile(SCHEMA_PROFILE)
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, schemaTimeout)
            .endProfile()
            .build();
    }

    /** A schema statement (CREATE, ALTER), run with {@code cassandra.schema.timeout} rather than a query's timeout. */
    public static SimpleStatement schemaStatement(String cql) {
        return SimpleStatement.newInstance(cql).setExecutionProfileName(SCHEMA_PROFILE);
    }

    /** Opens a session on the keyspace, creating it and the given tables first when they are missing. */
    public CqlSession open(CassandraModule tables) {
        // Before any component that holds this session makes a time UUID from several threads.
        TimeUuids.prepare();
        DriverConfigLoader config = driverConfig();
        try (CqlSession bootstrap = connect(builder(config))) {
            bootstrap.execute(schemaStatement(
                "CREATE KEYSPACE IF NOT EXISTS " + keyspace + " WITH replication = " + replication()));
        }
        CqlSession session = connect(builder(config).withKeyspace(CqlIdentifier.fromCql(keyspace)));
        try {
            new CassandraTableManager(tables, session).initializeTables(new CassandraTypesProvider(session));
            CommitLogDurability.check(session, keyspace);
            return session;
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    private CqlSessionBuilder builder(DriverConfigLoader config) {
        CqlSessionBuilder builder = CqlSession.builder().addContactPoints(contactPoints).withLocalDatacenter(localDatacenter)
            .withConfigLoader(config);
        access.applyTo(builder);
        return builder;
    }

    /** Connects, or says plainly why not when Cassandra refused the credentials or the TLS handshake. */
    private CqlSession connect(CqlSessionBuilder builder) {
        try {
            return builder.build();
        } catch (AllNodesFailedException e) {
            for (List<Throwable> errors : e.getAllErrors().values()) {
                for (Throwable error : errors) {
                    if (error instanceof AuthenticationException) {
                        throw new IllegalStateException("Cassandra at " + contactPoints + " refused the credentials of user '"
                            + access.credentials().map(CassandraAccess.Credentials::username).orElse("(none set)")
                            + "': check cassandra.username and cassandra.password (docs/storage-cassandra.md). "
                            + error.getMessage(), e);
                    }
                }
            }
            throw e;
        }
    }
}
