package dev.gateway.e2e;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.testkit.GatewayProcess;

/**
 * {@link SpamFilterScenarios} on the shipped default, the cluster profile: the quarantine is a Cassandra mail
 * repository there, and release reprocesses from it.
 */
class SpamFilterClusterIT extends SpamFilterScenarios {

    @RegisterExtension
    static final GatewayExtension GATEWAY =
        ClusterProfile.gatewayWithSpamd("postmaster@" + GatewayProcess.DOMAIN, PASSWORD, "spam_filter", spamSettings());

    @Override
    GatewayExtension gateway() {
        return GATEWAY;
    }
}
