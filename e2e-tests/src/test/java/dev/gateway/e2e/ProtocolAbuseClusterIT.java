package dev.gateway.e2e;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.queue.cassandra.CassandraExtension;

/**
 * {@link ProtocolAbuseScenarios} on the shipped default, the cluster profile: there every IMAP command waits on
 * Cassandra, and that is where sessions were seen to stall.
 */
class ProtocolAbuseClusterIT extends ProtocolAbuseScenarios {

    @RegisterExtension
    @Order(1)
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    @RegisterExtension
    @Order(2)
    static final GatewayExtension GATEWAY = new GatewayExtension("postmaster@" + GatewayProcess.DOMAIN, PASSWORD,
        () -> ClusterProfile.withoutSpam(CASSANDRA.server(), "protocol_abuse"));

    @Override
    GatewayExtension gateway() {
        return GATEWAY;
    }
}
