package dev.gateway.queue.cassandra;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives a test class the JVM's shared real Cassandra ({@link CassandraServer#shared}). Register it on a static
 * field; it is ready before the class's {@code @BeforeAll} methods run.
 */
public final class CassandraExtension implements BeforeAllCallback {

    private CassandraServer server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = CassandraServer.shared(context);
    }

    public CassandraServer server() {
        return server;
    }
}
