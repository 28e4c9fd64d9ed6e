package dev.gateway.e2e;

import java.util.Map;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.testkit.GatewayProcess;

/** {@link SpamFilterScenarios} on the memory profile. */
class SpamFilterIT extends SpamFilterScenarios {

    @RegisterExtension
    static final GatewayExtension GATEWAY =
        GatewayExtension.withSpamd(Map.of(), "postmaster@" + GatewayProcess.DOMAIN, PASSWORD, spamSettings());

    @Override
    GatewayExtension gateway() {
        return GATEWAY;
    }
}
