package dev.gateway.e2e;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.testkit.GatewayProcess;

/**
 * {@link ProtocolAbuseScenarios} on the shipped default, the cluster profile: there every IMAP command waits on
 * Cassandra, and that is where sessions were seen to stall.
 */
class ProtocolAbuseClusterIT extends ProtocolAbuseScenarios {

    @RegisterExtension
    static final GatewayExtension GATEWAY = ClusterProfile.gateway("postmaster@" + GatewayProcess.DOMAIN, PASSWORD, "protocol_abuse");

    @Override
    GatewayExtension gateway() {
        return GATEWAY;
    }
}
