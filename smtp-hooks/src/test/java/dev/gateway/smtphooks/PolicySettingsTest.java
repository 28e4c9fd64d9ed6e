package dev.gateway.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.james.core.Domain;
import org.junit.jupiter.api.Test;

/** How SenderMatchesLogin and SendingRateLimit read their handler elements. */
class PolicySettingsTest {

    @Test
    void senderMatchesLoginDefaultsToCheckingFromWithNoPermittedDomain() {
        assertThat(SenderMatchesLogin.Settings.from(new BaseHierarchicalConfiguration()))
            .isEqualTo(new SenderMatchesLogin.Settings(true, Set.of()));
    }

    @Test
    void senderMatchesLoginReadsPermittedDomainsCaseInsensitively() {
        BaseHierarchicalConfiguration configuration = new BaseHierarchicalConfiguration();
        configuration.addProperty("checkFromHeader", "false");
        configuration.addProperty("permittedDomains", "News.Example, lists.example");

        assertThat(SenderMatchesLogin.Settings.from(configuration)).isEqualTo(new SenderMatchesLogin.Settings(false,
            Set.of(Domain.of("news.example"), Domain.of("lists.example"))));
    }

    @Test
    void sendingRateLimitDefaults() {
        assertThat(SendingRateLimit.Settings.from(new BaseHierarchicalConfiguration()))
            .isEqualTo(new SendingRateLimit.Settings(200, 1000, Duration.ofHours(1)));
    }

    @Test
    void sendingRateLimitReadsItsSettings() {
        BaseHierarchicalConfiguration configuration = new BaseHierarchicalConfiguration();
        configuration.addProperty("maxMessages", "3");
        configuration.addProperty("maxRecipients", "4");
        configuration.addProperty("window", "5s");

        assertThat(SendingRateLimit.Settings.from(configuration))
            .isEqualTo(new SendingRateLimit.Settings(3, 4, Duration.ofSeconds(5)));
    }

    @Test
    void aBareNumberIsSeconds() {
        BaseHierarchicalConfiguration configuration = new BaseHierarchicalConfiguration();
        configuration.addProperty("window", "3600");

        assertThat(SendingRateLimit.Settings.from(configuration).window()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void sendingRateLimitRefusesZero() {
        BaseHierarchicalConfiguration configuration = new BaseHierarchicalConfiguration();
        configuration.addProperty("maxMessages", "0");

        assertThatThrownBy(() -> SendingRateLimit.Settings.from(configuration)).isInstanceOf(IllegalArgumentException.class);
    }
}
