package dev.gateway.app;

import org.apache.james.modules.queue.memory.MemoryMailQueueModule;

import com.google.inject.Module;

/** Where James's mail queues (the spool and the outgoing queues) are kept; chosen with {@code gateway.queue}. */
public enum MailQueueBackend {
    /** In the JVM's heap: fast, and lost when the process stops. The default. */
    MEMORY {
        @Override
        Module module() {
            return new MemoryMailQueueModule();
        }
    },
    /** In Cassandra: survives crashes, and several gateway nodes share one queue. */
    CASSANDRA {
        @Override
        Module module() {
            return new CassandraQueueModule();
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

    static MailQueueBackend parse(String value) {
        return GatewaySettings.choice(MailQueueBackend.class, "mail queue", value);
    }
}
