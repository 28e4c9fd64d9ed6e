package dev.gateway.authentication.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.junit.jupiter.api.Test;

class GatewayDnsServiceTest {

    @Test
    void serversAreHostOrHostPortSeparatedByCommasOrSpaces() throws Exception {
        assertThat(GatewayDnsService.parseServers(List.of("127.0.0.1:5353, 10.0.0.2", "[::1]:53000 [::1]")))
            .containsExactly(new InetSocketAddress("127.0.0.1", 5353), new InetSocketAddress("10.0.0.2", 53),
                new InetSocketAddress("::1", 53000), new InetSocketAddress("::1", 53));
        assertThat(GatewayDnsService.parseServers(List.of("", " "))).isEmpty();
        assertThat(GatewayDnsService.parseServers(List.of("::1"))).containsExactly(new InetSocketAddress("::1", 53));
    }

    @Test
    void badServersAreRefusedWithTheirName() {
        assertThatThrownBy(() -> GatewayDnsService.parseServers(List.of("127.0.0.1:0")))
            .isInstanceOf(ConfigurationException.class).hasMessageContaining("127.0.0.1:0");
        assertThatThrownBy(() -> GatewayDnsService.parseServers(List.of("127.0.0.1:dns")))
            .isInstanceOf(ConfigurationException.class).hasMessageContaining("port must be 1 to 65535");
        assertThatThrownBy(() -> GatewayDnsService.parseServers(List.of("[::1")))
            .isInstanceOf(ConfigurationException.class).hasMessageContaining("missing ]");
    }

    @Test
    void timeouts() throws Exception {
        assertThat(GatewayDnsService.parseDuration("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(GatewayDnsService.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(GatewayDnsService.parseDuration("3")).isEqualTo(Duration.ofSeconds(3));
        assertThatThrownBy(() -> GatewayDnsService.parseDuration("soon")).isInstanceOf(ConfigurationException.class);
    }
}
