package dev.gateway.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.junit.jupiter.api.Test;

import dev.gateway.testsupport.ManualClock;

class GreylistTest {

    @Test
    void defaultsAreOffFiveMinutesTwoDaysAndThirtyFiveDays() {
        Greylist.Settings settings = Greylist.Settings.from(new BaseHierarchicalConfiguration());

        assertThat(settings.enabled()).isFalse();
        assertThat(settings.delay()).isEqualTo(Duration.ofMinutes(5));
        assertThat(settings.retryWindow()).isEqualTo(Duration.ofDays(2));
        assertThat(settings.passLifetime()).isEqualTo(Duration.ofDays(35));
        assertThat(settings.autoAllowlistAfter()).isEqualTo(5);
    }

    @Test
    void aRetryWindowNoLongerThanTheDelayIsRefused() {
        BaseHierarchicalConfiguration configuration = new BaseHierarchicalConfiguration();
        configuration.addProperty("enabled", true);
        configuration.addProperty("delay", "10m");
        configuration.addProperty("retryWindow", "5m");

        assertThatThrownBy(() -> Greylist.Settings.from(configuration)).hasMessageContaining("retryWindow");
    }

    @Test
    void theClientNetworkIsTheSlash24OrTheSlash64() throws Exception {
        assertThat(Greylist.network(InetAddress.getByName("192.0.2.77"))).isEqualTo("192.0.2.0/24");
        assertThat(Greylist.network(InetAddress.getByName("2001:db8:1:2:3:4:5:6"))).isEqualTo("2001:db8:1:2::/64");
    }

    @Test
    void theMemoryStoreForgetsTripletsAndPassesOnceTheyExpire() {
        ManualClock clock = new ManualClock();
        InMemoryGreylistStore store = new InMemoryGreylistStore(clock);
        Instant start = clock.instant();

        store.firstTry("n a b", start, Duration.ofMinutes(10));
        assertThat(store.triplet("n a b")).contains(new GreylistStore.Triplet(start, false));
        store.firstTry("n a b", start.plusSeconds(60), Duration.ofMinutes(10));
        assertThat(store.triplet("n a b")).as("a second first try keeps the first").contains(new GreylistStore.Triplet(start, false));

        clock.advance(Duration.ofMinutes(10));
        assertThat(store.triplet("n a b")).isEmpty();

        store.passed("n a c", "n", start, Duration.ofDays(1));
        store.passed("n a d", "n", start, Duration.ofDays(1));
        assertThat(store.passes("n", 5)).isEqualTo(2);
        assertThat(store.passes("n", 1)).isEqualTo(1);
        assertThat(store.triplet("n a c")).contains(new GreylistStore.Triplet(start, true));
        clock.advance(Duration.ofDays(1));
        assertThat(store.passes("n", 5)).isZero();
        assertThat(store.triplet("n a c")).isEmpty();
    }
}
