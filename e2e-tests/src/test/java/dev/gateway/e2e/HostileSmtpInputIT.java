package dev.gateway.e2e;

import java.util.Map;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.testkit.GatewayProcess;

/** {@link HostileSmtpInputScenarios} on the memory profile. */
class HostileSmtpInputIT extends HostileSmtpInputScenarios {

    @RegisterExtension
    static final GatewayExtension GATEWAY = new GatewayExtension("postmaster@" + GatewayProcess.DOMAIN, PASSWORD,
        Map.of("GATEWAY_SPAM_ENABLED", "false"));

    @Override
    GatewayExtension gateway() {
        return GATEWAY;
    }
}
