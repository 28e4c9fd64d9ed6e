package dev.gateway.e2e;

import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link SieveScenarios} on the cluster profile: scripts and vacation records in James's Cassandra tables. */
class SieveClusterIT extends SieveScenarios {

    @RegisterExtension
    static final GatewayExtension GATEWAY = ClusterProfile.gateway(ALICE, PASSWORD, "sieve");

    @Override
    GatewayExtension gateway() {
        return GATEWAY;
    }
}
