package dev.gateway.e2e;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.queue.cassandra.CassandraExtension;

/**
 * {@link SpamFilterScenarios} on the shipped default, the cluster profile: the quarantine is a Cassandra mail
 * repository there, and release reprocesses from it.
 */
class SpamFilterClusterIT extends SpamFilterScenarios {

    @RegisterExtension
    @Order(1)
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    @RegisterExtension
    @Order(2)
    static final GatewayExtension GATEWAY = GatewayExtension.withSpamd(Map.of(), "postmaster@" + GatewayProcess.DOMAIN,
        PASSWORD, () -> {
            Map<String, String> environment = new HashMap<>(ClusterProfile.environment(CASSANDRA.server(), "spam_filter"));
            environment.putAll(spamSettings());
            return environment;
        });

    @Override
    GatewayExtension gateway() {
        return GATEWAY;
    }
}
