package dev.gateway.e2e;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.testkit.GatewayProcess;

/**
 * {@link HostileSmtpInputScenarios} on the shipped default, the cluster profile: what is refused must leave nothing
 * in the Cassandra queues and mailboxes either.
 */
class HostileSmtpInputClusterIT extends HostileSmtpInputScenarios {

    @RegisterExtension
    static final GatewayExtension GATEWAY = ClusterProfile.gateway("postmaster@" + GatewayProcess.DOMAIN, PASSWORD, "hostile_smtp");

    @Override
    GatewayExtension gateway() {
        return GATEWAY;
    }
}
