package dev.gateway.e2e;

import java.util.HashMap;
import java.util.Map;

import dev.gateway.queue.cassandra.CassandraServer;

/** The launcher's environment for a gateway on the cluster profile: everything in the test's Cassandra. */
final class ClusterProfile {

    private ClusterProfile() {
    }

    /** Mailboxes, users, domains, repositories and queues in {@code keyspace} of the given (already running) Cassandra. */
    static Map<String, String> environment(CassandraServer cassandra, String keyspace) {
        Map<String, String> environment = new HashMap<>(cassandra.gatewayEnvironment(keyspace));
        environment.put("GATEWAY_PROFILE", "cluster");
        return environment;
    }

    /** {@link #environment} with the spam filter off, for tests about storage rather than spam. */
    static Map<String, String> withoutSpam(CassandraServer cassandra, String keyspace) {
        Map<String, String> environment = environment(cassandra, keyspace);
        environment.put("GATEWAY_SPAM_ENABLED", "false");
        return environment;
    }
}
