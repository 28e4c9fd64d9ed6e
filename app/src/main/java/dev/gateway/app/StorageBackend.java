package dev.gateway.app;

import com.google.inject.Module;
import com.google.inject.util.Modules;

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
                GreylistStoreModules.CASSANDRA);
        }

        @Override
        boolean needsCassandra() {
            return true;
        }
    };

    abstract Module module();

    boolean needsCassandra() {
        return false;
    }

    static StorageBackend parse(String value) {
        return GatewaySettings.choice(StorageBackend.class, "backend", value);
    }
}
