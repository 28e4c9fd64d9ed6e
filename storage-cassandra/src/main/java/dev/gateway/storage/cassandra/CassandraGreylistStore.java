package dev.gateway.storage.cassandra;

import static com.datastax.oss.driver.api.core.type.DataTypes.BOOLEAN;
import static com.datastax.oss.driver.api.core.type.DataTypes.TEXT;
import static com.datastax.oss.driver.api.core.type.DataTypes.TIMESTAMP;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.backends.cassandra.components.CassandraModule;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;

import dev.gateway.smtphooks.GreylistStore;

/**
 * The greylist of a cluster, in Cassandra, so that a retry refused by one node is accepted by another: every row is
 * written with a TTL (the retry window for a first try, the pass lifetime for a pass), so the tables clean themselves
 * and need no sweeping. Two nodes seeing the same first try at once both write it; the later time wins, which only
 * delays that sender by the gap (no lightweight transaction on the hot path).
 *
 * <pre>
 * greylist_triplets (triplet text PRIMARY KEY, first_try timestamp, passed boolean)
 * greylist_passes   (client_network text, triplet text, PRIMARY KEY (client_network, triplet))
 * </pre>
 */
public final class CassandraGreylistStore implements GreylistStore {
    static final String TRIPLETS = "greylist_triplets";
    static final String PASSES = "greylist_passes";

    public static final CassandraModule MODULE = CassandraModule.builder()
        .table(TRIPLETS)
        .comment("Gateway greylisting: (client network, sender, recipient) triplets, with a TTL")
        .statement(statement -> types -> statement
            .withPartitionKey("triplet", TEXT)
            .withColumn("first_try", TIMESTAMP)
            .withColumn("passed", BOOLEAN))
        .table(PASSES)
        .comment("Gateway greylisting: triplets that passed, per client network, with a TTL (automatic allowlisting)")
        .statement(statement -> types -> statement
            .withPartitionKey("client_network", TEXT)
            .withClusteringColumn("triplet", TEXT))
        .build();

    private final CqlSession session;
    private final PreparedStatement select;
    private final PreparedStatement insert;
    private final PreparedStatement insertPass;
    private final PreparedStatement selectPasses;

    @Inject
    public CassandraGreylistStore(CqlSession session) {
        this.session = session;
        select = session.prepare("SELECT first_try, passed FROM " + TRIPLETS + " WHERE triplet = ?");
        insert = session.prepare("INSERT INTO " + TRIPLETS + " (triplet, first_try, passed) VALUES (?, ?, ?) USING TTL ?");
        insertPass = session.prepare("INSERT INTO " + PASSES + " (client_network, triplet) VALUES (?, ?) USING TTL ?");
        selectPasses = session.prepare("SELECT triplet FROM " + PASSES + " WHERE client_network = ? LIMIT ?");
    }

    @Override
    public Optional<Triplet> triplet(String key) {
        Row row = session.execute(select.bind(key)).one();
        return Optional.ofNullable(row).map(found -> new Triplet(found.getInstant("first_try"), found.getBoolean("passed")));
    }

    @Override
    public void firstTry(String key, Instant at, Duration keep) {
        session.execute(insert.bind(key, at, false, ttl(keep)));
    }

    @Override
    public void passed(String key, String clientNetwork, Instant firstTry, Duration keep) {
        session.execute(insert.bind(key, firstTry, true, ttl(keep)));
        session.execute(insertPass.bind(clientNetwork, key, ttl(keep)));
    }

    @Override
    public int passes(String clientNetwork, int atMost) {
        return session.execute(selectPasses.bind(clientNetwork, atMost)).all().size();
    }

    private static int ttl(Duration keep) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, keep.toSeconds()));
    }
}
