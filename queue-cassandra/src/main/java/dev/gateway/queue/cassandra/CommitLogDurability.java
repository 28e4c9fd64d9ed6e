package dev.gateway.queue.cassandra;

import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;

/**
 * Whether a 250 survives a crash of the Cassandra node that acknowledged the mail's writes, told once at start-up.
 *
 * <p>The gateway answers 250 once Cassandra acknowledged the queue's writes. With {@code commitlog_sync: periodic}
 * (Cassandra's default) a node acknowledges a write before its commit log is synced and marks what it wrote only
 * every 100 ms; after a {@code kill -9} its replay stops at the last mark, so the writes acknowledged after it are
 * gone. With a single copy of the data (replication factor 1) that is mail answered 250 and lost. {@code group} or
 * {@code batch} acknowledge after the sync; with more copies another replica still holds the write.
 */
public final class CommitLogDurability {

    private static final Logger LOGGER = LoggerFactory.getLogger(CommitLogDurability.class);

    private CommitLogDurability() {
    }

    /** Reads the node's commit log mode and the keyspace's replication, and warns when a crash can lose a 250. */
    static void check(CqlSession session, String keyspace) {
        try {
            Optional<String> sync = Optional.ofNullable(session.execute(
                    "SELECT value FROM system_views.settings WHERE name = 'commitlog_sync'").one())
                .map(row -> row.getString("value"));
            Row replication = session.execute("SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?",
                keyspace).one();
            if (sync.isEmpty() || replication == null) {
                LOGGER.info("Could not tell whether Cassandra's commit log keeps acknowledged writes through a crash");
                return;
            }
            warning(sync.get(), replication.getMap("replication", String.class, String.class))
                .ifPresentOrElse(LOGGER::warn,
                    () -> LOGGER.info("Cassandra commit log sync '{}', keyspace {}: mail answered 250 survives a crash of a"
                        + " Cassandra node", sync.get(), keyspace));
        } catch (RuntimeException e) {
            // Cassandra before 4.0 has no system_views; the check is advice, never a reason not to start.
            LOGGER.info("Could not read Cassandra's commit log settings: {}", e.toString());
        }
    }

    /** The warning to give for this commit log mode and keyspace replication, if any. */
    static Optional<String> warning(String commitlogSync, Map<String, String> replication) {
        int copies = replication.entrySet().stream()
            .filter(entry -> !entry.getKey().equals("class"))
            .mapToInt(entry -> parseFactor(entry.getValue()))
            .max()
            .orElse(1);
        if (!commitlogSync.equalsIgnoreCase("periodic") || copies > 1) {
            return Optional.empty();
        }
        return Optional.of("Cassandra's commit log is synced 'periodic' and the keyspace keeps one copy: a kill -9 or"
            + " crash of Cassandra loses the writes it acknowledged in its last moments (100 ms or more), and with them"
            + " mail already answered 250. Set commitlog_sync: group (commitlog_sync_group_window: 2ms) in"
            + " cassandra.yaml, or replicate the keyspace (docs/storage-cassandra.md, durability)");
    }

    private static int parseFactor(String value) {
        try {
            // "3", or "3/1" (replicas / transient replicas) in NetworkTopologyStrategy.
            return Integer.parseInt(value.split("/")[0].trim());
        } catch (NumberFormatException e) {
            return 1;
        }
    }
}
