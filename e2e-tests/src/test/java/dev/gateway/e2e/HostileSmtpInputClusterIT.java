package dev.gateway.e2e;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.queue.cassandra.CassandraExtension;

/**
 * {@link HostileSmtpInputScenarios} on the shipped default, the cluster profile: what is refused must leave nothing
 * in the Cassandra queues and mailboxes either.
 */
class HostileSmtpInputClusterIT extends HostileSmtpInputScenarios {

    @RegisterExtension
    @Order(1)
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    @RegisterExtension
    @Order(2)
    static final GatewayExtension GATEWAY = new GatewayExtension("postmaster@" + GatewayProcess.DOMAIN, PASSWORD,
        () -> ClusterProfile.withoutSpam(CASSANDRA.server(), "hostile_smtp"));

    @Override
    GatewayExtension gateway() {
        return GATEWAY;
    }
}
