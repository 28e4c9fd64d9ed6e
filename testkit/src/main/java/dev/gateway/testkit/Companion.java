package dev.gateway.testkit;

import java.util.Map;

/**
 * A server the gateway under test talks to (a spam engine, a smarthost, a DNS server), started by
 * {@link GatewayExtension} before the gateway and closed after it. Its {@link #gatewayEnvironment()} is given to
 * {@code bin/gateway}, under the test's own environment (which wins).
 */
public interface Companion extends AutoCloseable {

    /** The {@code GATEWAY_*} variables that point the gateway at this server, e.g. its port. */
    Map<String, String> gatewayEnvironment();

    /** Starts a companion; it runs until {@link Companion#close()}. */
    @FunctionalInterface
    interface Starter {
        Companion start() throws Exception;
    }
}
