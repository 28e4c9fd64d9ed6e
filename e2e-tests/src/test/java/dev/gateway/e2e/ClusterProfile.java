package dev.gateway.e2e;

import java.util.HashMap;
import java.util.Map;

import dev.gateway.queue.cassandra.CassandraServer;

/**
 * The launcher's environment for a gateway on the cluster profile (everything in the test's Cassandra), and the
 * gateway extension of a test class on it.
 */
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

    /**
     * One gateway for a test class on {@link #withoutSpam} in {@code keyspace} of the JVM's shared Cassandra, which
     * it starts first when no class has yet: the one extension to register, in place of a Cassandra extension and a
     * gateway ordered after it.
     */
    static GatewayExtension gateway(String user, String password, String keyspace) {
        return GatewayExtension.inContext(user, password,
            context -> withoutSpam(CassandraServer.shared(context), keyspace));
    }

    /**
     * {@link #gateway} with the spam filter on (the profile's {@link #environment}), scanning with a private real
     * spamd as {@link GatewayExtension#withSpamd} does, and {@code spamSettings} on top.
     */
    static GatewayExtension gatewayWithSpamd(String user, String password, String keyspace, Map<String, String> spamSettings) {
        Map<String, String> settings = Map.copyOf(spamSettings);
        return GatewayExtension.withSpamdInContext(Map.of(), user, password, context -> {
            Map<String, String> environment = environment(CassandraServer.shared(context), keyspace);
            environment.putAll(settings);
            return environment;
        });
    }
}
