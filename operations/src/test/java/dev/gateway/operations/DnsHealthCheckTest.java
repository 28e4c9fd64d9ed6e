package dev.gateway.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

import org.apache.james.core.healthcheck.ResultStatus;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.SimpleResolver;

class DnsHealthCheckTest {

    @Test
    void aServerThatNeverAnswersIsDegradedAndNamed() throws Exception {
        // A real UDP socket on loopback that nobody reads: queries to it time out as to a dead server.
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            SimpleResolver resolver = new SimpleResolver(new InetSocketAddress("127.0.0.1", silent.getLocalPort()));
            resolver.setTimeout(Duration.ofMillis(300));
            var result = new DnsHealthCheck(() -> resolver, () -> "127.0.0.1:" + silent.getLocalPort()).checkNow();
            assertThat(result.getStatus()).isEqualTo(ResultStatus.DEGRADED);
            assertThat(result.getCause()).hasValueSatisfying(cause ->
                assertThat(cause).contains("127.0.0.1:" + silent.getLocalPort()).contains("do not answer"));
        }
    }
}
