package dev.gateway.e2e;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.queue.cassandra.CassandraExtension;

/** {@link SieveScenarios} on the cluster profile: scripts and vacation records in James's Cassandra tables. */
class SieveClusterIT extends SieveScenarios {

    @RegisterExtension
    @Order(1)
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    @RegisterExtension
    @Order(2)
    static final GatewayExtension GATEWAY =
        new GatewayExtension(ALICE, PASSWORD, () -> ClusterProfile.withoutSpam(CASSANDRA.server(), "sieve"));

    @Override
    GatewayExtension gateway() {
        return GATEWAY;
    }
}
