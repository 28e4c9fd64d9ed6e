package dev.gateway.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import org.apache.james.core.healthcheck.Result;
import org.junit.jupiter.api.Test;

class SpamEngineHealthCheckTest {

    /** A loopback port nothing listens on any more: connections to it are refused. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static SpamdClient client(int port) {
        return new SpamdClient("127.0.0.1", port, Duration.ofSeconds(1), Duration.ofSeconds(1));
    }

    @Test
    void healthyWithoutAnEnabledFilter() {
        assertThat(new SpamEngineHealthCheck(new SpamEngineStatus()).checkNow().isHealthy()).isTrue();
    }

    @Test
    void degradedWhenAFailOpenFilterCannotReachSpamdAndSaysHowManyPassedUnscanned() throws Exception {
        SpamEngineStatus status = new SpamEngineStatus();
        int port = closedPort();
        status.register(client(port), true);
        status.countUnscanned();
        status.countUnscanned();

        Result result = new SpamEngineHealthCheck(status).checkNow();

        assertThat(result.isDegraded()).isTrue();
        assertThat(result.getCause()).hasValue("spamd at 127.0.0.1:" + port
            + " unreachable: MX mail is accepted unscanned; 2 message(s) accepted unscanned since start");
    }

    @Test
    void unhealthyWhenAFailClosedFilterCannotReachSpamd() throws Exception {
        SpamEngineStatus status = new SpamEngineStatus();
        status.register(client(closedPort()), false);

        Result result = new SpamEngineHealthCheck(status).checkNow();

        assertThat(result.isUnHealthy()).isTrue();
        assertThat(result.getCause().orElseThrow()).contains("MX mail is deferred (451)");
    }
}
