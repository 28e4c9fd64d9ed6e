package dev.gateway.app;

import com.google.inject.Module;

/**
 * The one seam where the storage of mailboxes, users, domains, mail repositories and mail queues is chosen.
 * Every other module of the assembly is the same whatever the backend.
 */
public enum StorageBackend {
    /** Everything in the JVM's heap: fast, and forgotten on restart. For trials and tests. */
    MEMORY {
        @Override
        Module module() {
            return MemoryBackendModule.MODULE;
        }
    };

    abstract Module module();

    static StorageBackend parse(String value) {
        return GatewaySettings.choice(StorageBackend.class, "backend", value);
    }
}
