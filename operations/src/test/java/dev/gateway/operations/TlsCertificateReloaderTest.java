package dev.gateway.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class TlsCertificateReloaderTest {

    @Test
    void watchesTheListenersFilesEveryMinuteByDefault() {
        TlsCertificateReloader.Settings settings = TlsCertificateReloader.Settings.fromEnvironment(Map.of());

        assertThat(settings.files()).containsExactly("file://var/tls/gateway.crt", "file://var/tls/gateway.key");
        assertThat(settings.interval()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void watchesTheConfiguredFilesAtTheGivenIntervalOrNot() {
        TlsCertificateReloader.Settings settings = TlsCertificateReloader.Settings.fromEnvironment(Map.of(
            "GATEWAY_TLS_CERTIFICATE", "file:///etc/tls/chain.pem", "GATEWAY_TLS_PRIVATE_KEY", " file:///etc/tls/key.pem ",
            "GATEWAY_TLS_RELOAD_CHECK", "5 minutes"));

        assertThat(settings.files()).isEqualTo(List.of("file:///etc/tls/chain.pem", "file:///etc/tls/key.pem"));
        assertThat(settings.interval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(TlsCertificateReloader.Settings.fromEnvironment(Map.of("GATEWAY_TLS_RELOAD_CHECK", "0")).interval()).isZero();
    }

    @Test
    void refusesAnIntervalItCannotRead() {
        assertThatThrownBy(() -> TlsCertificateReloader.Settings.fromEnvironment(Map.of("GATEWAY_TLS_RELOAD_CHECK", "often")))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("GATEWAY_TLS_RELOAD_CHECK must be a duration such as 60s, or 0: often");
    }
}
