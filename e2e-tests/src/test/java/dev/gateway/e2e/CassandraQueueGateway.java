package dev.gateway.e2e;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.gateway.queue.cassandra.CassandraServer;

import dev.gateway.testkit.GatewayProcess;

/** The environment of a test gateway whose mail queues live in a keyspace of a test Cassandra. */
final class CassandraQueueGateway {

    private CassandraQueueGateway() {
    }

    static Map<String, String> environment(CassandraServer cassandra, String keyspace, Path configuration) {
        Map<String, String> environment = new HashMap<>(cassandra.gatewayEnvironment(keyspace));
        environment.put("GATEWAY_QUEUE", "cassandra");
        environment.put("GATEWAY_CONF", configuration.toString());
        environment.put("GATEWAY_SPAM_ENABLED", "false");
        // The memory backend starts with an empty domain list, and the launcher adds the test domain only once the
        // server answers; by then the spool may already be delivering mail queued before a restart, which would look
        // foreign and be relayed. The default domain is in the list from the first moment.
        environment.put("GATEWAY_DEFAULT_DOMAIN", GatewayProcess.DOMAIN);
        return environment;
    }
}
