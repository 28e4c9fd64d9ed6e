package dev.gateway.storage.cassandra.guice;

import java.util.Optional;

import org.apache.james.backends.cassandra.components.CassandraModule;
import org.apache.james.backends.cassandra.init.CassandraTableManager;
import org.apache.james.backends.cassandra.init.CassandraTypesCreator;
import org.apache.james.backends.cassandra.init.CassandraTypesProvider;
import org.apache.james.backends.cassandra.versions.CassandraSchemaVersionDAO;
import org.apache.james.backends.cassandra.versions.CassandraSchemaVersionManager;
import org.apache.james.backends.cassandra.versions.SchemaVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.datastax.oss.driver.api.core.CqlSession;

/**
 * Gateway's tables in its keyspace, brought up to date at every start of every node: types and tables are created
 * when missing (CREATE ... IF NOT EXISTS, so concurrent starts are harmless), then the schema version is checked.
 * <p>
 * A keyspace without a version is new: its tables were just created by this James, so it is at the latest version,
 * and recording that makes James use its current data layouts (James reads a missing version as "oldest
 * supported"). A keyspace at another version is refused: James 3.8.1 has no automatic migration, and nodes reading
 * two layouts would corrupt mailboxes.
 */
final class CassandraSchema {

    private static final Logger LOGGER = LoggerFactory.getLogger(CassandraSchema.class);

    static void update(CqlSession session, CassandraModule tables) {
        new CassandraTypesCreator(tables, session).initializeTypes();
        new CassandraTableManager(tables, session).initializeTables(new CassandraTypesProvider(session));
        checkVersion(new CassandraSchemaVersionDAO(session));
    }

    private static void checkVersion(CassandraSchemaVersionDAO versions) {
        SchemaVersion latest = CassandraSchemaVersionManager.MAX_VERSION;
        Optional<SchemaVersion> stored = versions.getCurrentSchemaVersion().block();
        if (stored.isEmpty()) {
            versions.updateVersion(latest).block();
            LOGGER.info("New Cassandra keyspace: schema version {} recorded", latest.getValue());
        } else if (!stored.get().equals(latest)) {
            throw new IllegalStateException("The Cassandra keyspace is at schema version " + stored.get().getValue()
                + " but this Gateway needs version " + latest.getValue() + ": migrate it with James's tools first");
        } else {
            LOGGER.info("Cassandra schema version {} is up to date", latest.getValue());
        }
    }

    private CassandraSchema() {
    }
}
