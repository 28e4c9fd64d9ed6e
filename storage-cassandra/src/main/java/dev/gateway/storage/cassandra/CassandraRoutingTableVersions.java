package dev.gateway.storage.cassandra;

import static com.datastax.oss.driver.api.core.type.DataTypes.BIGINT;
import static com.datastax.oss.driver.api.core.type.DataTypes.TEXT;
import static com.datastax.oss.driver.api.core.type.DataTypes.TIMESTAMP;

import java.time.Instant;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.backends.cassandra.components.CassandraModule;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.metadata.schema.ClusteringOrder;

import dev.gateway.routing.RoutingTableVersions;

/**
 * The routing table's versions in Cassandra, one partition holding them all, newest first. Storing a version is a
 * lightweight transaction ({@code INSERT ... IF NOT EXISTS} on the next number): two nodes storing at once never
 * overwrite each other, the second gets the number after. That costs four round trips among replicas, once per
 * change of the table, which is rare; reading the newest version, which every node does every few seconds, is one
 * single-row read. Old versions are kept: they are small and they are the table's history.
 */
public class CassandraRoutingTableVersions implements RoutingTableVersions {

    public static final String TABLE = "gateway_routing_tables";
    private static final String NAME = "name";
    private static final String VERSION = "version";
    private static final String YAML = "yaml";
    private static final String STORED = "stored";
    /** The partition of the routing table; the spam thresholds have theirs ({@link CassandraSpamThresholdVersions}). */
    private static final String ROUTING = "routing";
    private static final int ATTEMPTS = 20;

    public static final CassandraModule MODULE = CassandraModule.builder()
        .table(TABLE)
        .comment("Gateway routing table: every version stored, newest first")
        .options(options -> options.withClusteringOrder(VERSION, ClusteringOrder.DESC))
        .statement(statement -> types -> statement
            .withPartitionKey(NAME, TEXT)
            .withClusteringColumn(VERSION, BIGINT)
            .withColumn(YAML, TEXT)
            .withColumn(STORED, TIMESTAMP))
        .build();

    private final CqlSession session;
    private final String document;
    private final PreparedStatement latest;
    private final PreparedStatement insert;

    @Inject
    public CassandraRoutingTableVersions(CqlSession session) {
        this(session, ROUTING);
    }

    /** The versions of another document kept in the same table, in a partition of its own. */
    protected CassandraRoutingTableVersions(CqlSession session, String document) {
        this.session = session;
        this.document = document;
        this.latest = session.prepare("SELECT " + VERSION + ", " + YAML + " FROM " + TABLE + " WHERE " + NAME + " = ? LIMIT 1");
        this.insert = session.prepare("INSERT INTO " + TABLE + " (" + NAME + ", " + VERSION + ", " + YAML + ", " + STORED
            + ") VALUES (?, ?, ?, ?) IF NOT EXISTS");
    }

    @Override
    public Optional<Stored> latest() {
        Row row = session.execute(latest.bind(document).setIdempotent(true)).one();
        return row == null ? Optional.empty() : Optional.of(new Stored(row.getLong(VERSION), row.getString(YAML)));
    }

    @Override
    public Stored storeNext(String yaml) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            long next = latest().map(Stored::version).orElse(0L) + 1;
            if (insert(next, yaml)) {
                return new Stored(next, yaml);
            }
        }
        throw new IllegalStateException("could not store the " + document + " document: " + ATTEMPTS + " other versions were stored meanwhile");
    }

    @Override
    public Stored seed(String yaml) {
        insert(1, yaml);
        return latest().orElseThrow(() -> new IllegalStateException(document + " version 1 stored but not read back"));
    }

    private boolean insert(long version, String yaml) {
        return session.execute(insert.bind(document, version, yaml, Instant.now())).wasApplied();
    }
}
