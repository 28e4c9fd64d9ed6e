package dev.gateway.app;

import org.apache.james.mailrepository.cassandra.CassandraMailRepository;
import org.apache.james.mailrepository.memory.MailRepositoryStoreConfiguration;

import com.google.inject.Module;
import com.google.inject.util.Modules;

import dev.gateway.storage.cassandra.guice.CassandraDataStoreModule;
import dev.gateway.storage.cassandra.guice.CassandraGreylistStoreModule;
import dev.gateway.storage.cassandra.guice.CassandraMailboxStoreModule;

/**
 * The one seam where the storage of mailboxes, users, domains and mail repositories is chosen (the mail queue is
 * chosen apart: {@link MailQueueBackend}). Every other module of the assembly is the same whatever the backend.
 */
public enum StorageBackend {
    /** Everything in the JVM's heap: fast, and forgotten on restart. For trials and tests. */
    MEMORY {
        @Override
        Module module() {
            return Modules.combine(MemoryBackendModule.MODULE, GreylistStoreModules.MEMORY);
        }
    },
    /** Everything in Cassandra: kept across restarts, and shared by every node on the same keyspace. */
    CASSANDRA {
        @Override
        Module module() {
            return Modules.combine(new CassandraMailboxStoreModule(), new CassandraDataStoreModule(),
                CASSANDRA_REPOSITORY_PROTOCOLS, new CassandraGreylistStoreModule());
        }

        @Override
        boolean needsCassandra() {
            return true;
        }
    };

    /** Cassandra's mail repositories answer {@code repository://} URLs, and {@code cassandra://} ones. */
    private static final Module CASSANDRA_REPOSITORY_PROTOCOLS = binder -> binder.bind(MailRepositoryStoreConfiguration.Item.class)
        .toProvider(() -> MailRepositoryProtocols.item("cassandra", CassandraMailRepository.class));

    abstract Module module();

    boolean needsCassandra() {
        return false;
    }

    static StorageBackend parse(String value) {
        return GatewaySettings.choice(StorageBackend.class, "backend", value);
    }
}
