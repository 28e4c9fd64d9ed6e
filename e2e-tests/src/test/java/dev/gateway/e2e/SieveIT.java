package dev.gateway.e2e;

import java.util.Map;

import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link SieveScenarios} on the memory profile: scripts under the gateway's home, vacation records in the heap. */
class SieveIT extends SieveScenarios {

    @RegisterExtension
    static final GatewayExtension GATEWAY = new GatewayExtension(ALICE, PASSWORD, Map.of("GATEWAY_SPAM_ENABLED", "false"));

    @Override
    GatewayExtension gateway() {
        return GATEWAY;
    }
}
