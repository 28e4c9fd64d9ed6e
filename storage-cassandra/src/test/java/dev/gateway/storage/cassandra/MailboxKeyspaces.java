package dev.gateway.storage.cassandra;

import org.apache.james.backends.cassandra.components.CassandraModule;
import org.apache.james.backends.cassandra.init.CassandraTableManager;
import org.apache.james.backends.cassandra.init.CassandraTypesCreator;
import org.apache.james.backends.cassandra.init.CassandraTypesProvider;
import org.apache.james.backends.cassandra.versions.CassandraSchemaVersionDAO;
import org.apache.james.backends.cassandra.versions.CassandraSchemaVersionManager;

import com.datastax.oss.driver.api.core.CqlSession;

import dev.gateway.queue.cassandra.CassandraServer;
import dev.gateway.storage.cassandra.guice.Cassandra5Tables;

/** Keyspaces for the mailbox tests, made as the gateway's schema update makes a new one. */
final class MailboxKeyspaces {

    private MailboxKeyspaces() {
    }

    /**
     * A session on a new keyspace holding {@code tables}: types first (the mailbox table uses one), then the tables,
     * then James's latest layout version recorded, as the server records it for a new keyspace (CassandraSchema).
     */
    static CqlSession open(CassandraServer server, String keyspace, CassandraModule tables) {
        CassandraModule compatible = Cassandra5Tables.compatible(tables);
        CqlSession session = server.session(keyspace, CassandraModule.EMPTY_MODULE);
        new CassandraTypesCreator(compatible, session).initializeTypes();
        new CassandraTableManager(compatible, session).initializeTables(new CassandraTypesProvider(session));
        new CassandraSchemaVersionDAO(session).updateVersion(CassandraSchemaVersionManager.MAX_VERSION).block();
        return session;
    }
}
