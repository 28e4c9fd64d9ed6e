package dev.gateway.app;

import com.google.inject.Module;
import com.google.inject.util.Modules;

import dev.gateway.queue.cassandra.CassandraMailQueueFactory;
import dev.gateway.queue.cassandra.guice.CassandraQueueModule;

/** Where James's mail queues (the spool and the outgoing queues) are kept; chosen with {@code gateway.queue}. */
public enum MailQueueBackend {
    /** In the JVM's heap, one copy of each message: fast, and lost when the process stops. */
    MEMORY {
        @Override
        Module module() {
            return new HeapQueueModule();
        }
    },
    /** In Cassandra: survives crashes, and several gateway nodes share one queue. */
    CASSANDRA {
        @Override
        Module module() {
            return Modules.combine(new CassandraQueueModule(), new MailQueueFactoryBindings<>(CassandraMailQueueFactory.class));
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
