package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.WebAdminClient;

/**
 * The spam engine the launcher runs under a gateway's home, driven with its own script as an operator would
 * ({@code bin/spamd} or {@code bin/rspamd} with the gateway's environment), and the gateway's health entry for it.
 */
final class PrivateSpamEngine {

    private final GatewayProcess gateway;
    private final String script;

    /** @param script "spamd" or "rspamd" */
    PrivateSpamEngine(GatewayProcess gateway, String script) {
        this.gateway = gateway;
        this.script = script;
    }

    /** {@code bin/<script> command}; fails with its output when it exits non-zero. */
    String run(String command) throws Exception {
        return gateway.run(List.of(gateway.source().resolve("bin/" + script).toString(), command), Duration.ofMinutes(4), null);
    }

    /** {@code status}: exit 0 running, exit 3 not running; anything else fails the test. */
    boolean running() throws Exception {
        try {
            run("status");
            return true;
        } catch (IllegalStateException e) {
            assertThat(e.getMessage()).contains("exited 3:");
            return false;
        }
    }

    /** The "Spam engine" entry of WebAdmin's /healthcheck. */
    static JsonNode healthEntry(WebAdminClient webAdmin) throws Exception {
        for (JsonNode check : webAdmin.get("/healthcheck").path("checks")) {
            if (check.path("componentName").asText().equals("Spam engine")) {
                return check;
            }
        }
        throw new AssertionError("no Spam engine in /healthcheck");
    }
}
