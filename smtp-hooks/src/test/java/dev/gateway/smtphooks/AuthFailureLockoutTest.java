package dev.gateway.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.junit.jupiter.api.Test;

class AuthFailureLockoutTest {

    @Test
    void countsIpv4PerAddress() throws Exception {
        assertThat(AuthFailureLockout.addressKey(InetAddress.getByName("192.0.2.7"))).isEqualTo("address:192.0.2.7");
    }

    @Test
    void countsIpv6PerSlash64() throws Exception {
        String one = AuthFailureLockout.addressKey(InetAddress.getByName("2001:db8:1:2::1"));
        String sameSubnet = AuthFailureLockout.addressKey(InetAddress.getByName("2001:db8:1:2:ffff:ffff:ffff:ffff"));
        String otherSubnet = AuthFailureLockout.addressKey(InetAddress.getByName("2001:db8:1:3::1"));

        assertThat(one).isEqualTo(sameSubnet).isEqualTo("address:2001:0db8:0001:0002::/64");
        assertThat(otherSubnet).isNotEqualTo(one);
    }

    @Test
    void readsItsSettingsWithUnits() {
        BaseHierarchicalConfiguration configuration = new BaseHierarchicalConfiguration();
        configuration.addProperty("maxFailuresPerAddress", "3");
        configuration.addProperty("maxFailuresPerAccount", "7");
        configuration.addProperty("window", "2m");
        configuration.addProperty("lockout", "1h");

        assertThat(AuthFailureLockout.Settings.from(configuration))
            .isEqualTo(new AuthFailureLockout.Settings(3, 7, Duration.ofMinutes(2), Duration.ofHours(1)));
    }

    @Test
    void refusesALimitBelowOne() {
        BaseHierarchicalConfiguration configuration = new BaseHierarchicalConfiguration();
        configuration.addProperty("maxFailuresPerAddress", "0");

        assertThatThrownBy(() -> AuthFailureLockout.Settings.from(configuration)).isInstanceOf(IllegalArgumentException.class);
    }
}
