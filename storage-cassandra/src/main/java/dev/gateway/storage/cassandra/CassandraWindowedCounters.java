package dev.gateway.storage.cassandra;

import static com.datastax.oss.driver.api.core.type.DataTypes.BIGINT;
import static com.datastax.oss.driver.api.core.type.DataTypes.TEXT;
import static com.datastax.oss.driver.api.core.type.DataTypes.TIMEUUID;

import java.time.Duration;

import javax.inject.Inject;

import org.apache.james.backends.cassandra.components.CassandraModule;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import com.datastax.oss.driver.api.querybuilder.SchemaBuilder;
import com.datastax.oss.driver.api.querybuilder.schema.compaction.TimeWindowCompactionStrategy.CompactionWindowUnit;

import dev.gateway.smtphooks.WindowedCounters;

/**
 * {@link WindowedCounters} kept in Cassandra, so that every gateway node on the keyspace counts the same failed
 * logins and the same messages: N nodes then allow a user the limit once, not N times.
 *
 * <p>Each event is one row of its key's partition written with a TTL of the window; a key's count is the sum of its
 * live rows. An event therefore counts for exactly one window after it happened (a sliding window, where the heap
 * counters open a fixed window at a key's first event), Cassandra forgets it on its own, and {@link #reset} is one
 * partition deletion. One counting costs one write and one single-partition read at the session's consistency
 * (LOCAL_QUORUM), both idempotent: no lightweight transaction (four round trips among replicas and a Paxos state
 * per partition), and no Cassandra counter columns (not idempotent, so a retried increment counts twice; no TTL, so
 * windows would need buckets and a read of several; and a deleted counter cannot be used again, which rules out
 * {@link #reset}). Two nodes counting the same key at the same instant may both see the other's event: both then
 * refuse, never both accept past the limit. See docs/smtp-hooks/shared-counters.md.
 */
public final class CassandraWindowedCounters implements WindowedCounters {

    public static final String TABLE = "gateway_policy_events";
    private static final String KEY = "key";
    private static final String EVENT = "event";
    private static final String AMOUNT = "amount";

    /**
     * Rows expire on their own (every replica drops them, no tombstone to spread); only a reset's partition deletion
     * needs the grace, and three hours covers Cassandra's hint window as the queue's tables do.
     */
    private static final int GC_GRACE_SECONDS = 3 * 3600;

    public static final CassandraModule MODULE = CassandraModule.builder()
        .table(TABLE)
        .comment("Gateway policy counters: one row per counted event, with a TTL of its window")
        .options(options -> options
            .withCompaction(SchemaBuilder.timeWindowCompactionStrategy().withCompactionWindow(1, CompactionWindowUnit.HOURS))
            .withGcGraceSeconds(GC_GRACE_SECONDS))
        .statement(statement -> types -> statement
            .withPartitionKey(KEY, TEXT)
            .withClusteringColumn(EVENT, TIMEUUID)
            .withColumn(AMOUNT, BIGINT))
        .build();

    private static final int MAX_TTL_SECONDS = 20 * 365 * 24 * 3600;

    private final CqlSession session;
    private final PreparedStatement insert;
    private final PreparedStatement sum;
    private final PreparedStatement delete;

    @Inject
    public CassandraWindowedCounters(CqlSession session) {
        this.session = session;
        this.insert = session.prepare("INSERT INTO " + TABLE + " (" + KEY + ", " + EVENT + ", " + AMOUNT
            + ") VALUES (?, ?, ?) USING TTL ?");
        this.sum = session.prepare("SELECT SUM(" + AMOUNT + ") FROM " + TABLE + " WHERE " + KEY + " = ?");
        this.delete = session.prepare("DELETE FROM " + TABLE + " WHERE " + KEY + " = ?");
    }

    @Override
    public long add(String key, long amount, Duration window) {
        session.execute(insert.bind(key, Uuids.timeBased(), amount, ttlSeconds(window)).setIdempotent(true));
        return get(key);
    }

    @Override
    public long get(String key) {
        Row row = session.execute(sum.bind(key).setIdempotent(true)).one();
        // SUM over no live row is null in Cassandra 5 (zero in older versions).
        return row == null || row.isNull(0) ? 0 : row.getLong(0);
    }

    @Override
    public void reset(String key) {
        session.execute(delete.bind(key).setIdempotent(true));
    }

    /** Cassandra's TTL is whole seconds, at least one and at most twenty years: a window is rounded up. */
    static int ttlSeconds(Duration window) {
        long millis = Math.max(1, window.toMillis());
        return (int) Math.min(MAX_TTL_SECONDS, (millis + 999) / 1000);
    }
}
