package dev.gateway.events.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;

import org.apache.commons.configuration2.BaseConfiguration;
import org.junit.jupiter.api.Test;

class EventBrokerSettingsTest {

    @Test
    void noUriMeansNoBroker() {
        assertThat(EventBrokerSettings.from(new BaseConfiguration())).isEmpty();
        assertThat(EventBrokerSettings.from(properties(" "))).isEmpty();
    }

    @Test
    void aUriNamesTheBrokerAndTheLoginComesFromTheManagementCredentials() {
        BaseConfiguration properties = properties("amqp://127.0.0.1:5679");
        properties.setProperty("management.user", "gateway");
        properties.setProperty("management.password", "secret");

        EventBrokerSettings settings = EventBrokerSettings.from(properties).orElseThrow();

        assertThat(settings.rabbitMQ().getUri()).isEqualTo(URI.create("amqp://127.0.0.1:5679"));
        assertThat(settings.rabbitMQ().getManagementCredentials().getUser()).isEqualTo("gateway");
        assertThat(settings.rabbitMQ().getManagementCredentials().getPassword()).containsExactly("secret".toCharArray());
        assertThat(settings.rabbitMQ().getManagementUri()).isEqualTo(URI.create("http://127.0.0.1:15672"));
        // James's defaults where the file says nothing.
        assertThat(settings.rabbitMQ().isEventBusPublishConfirmEnabled()).isTrue();
        assertThat(settings.connectionPool().getNumRetries()).isEqualTo(10);
        assertThat(settings.connectionPool().getInitialDelay()).isEqualTo(Duration.ofMillis(100));
        // Gateway's bounded waits for the broker (issue 16).
        assertThat(settings.waits()).isEqualTo(new BrokerWaits(Duration.ofSeconds(3), Duration.ofSeconds(3)));
    }

    @Test
    void theWaitsForTheBrokerAreRead() {
        BaseConfiguration properties = properties("amqp://127.0.0.1:5679");
        properties.setProperty("management.user", "guest");
        properties.setProperty("management.password", "guest");
        properties.setProperty("event.bus.publish.timeout.ms", "1500");
        properties.setProperty("event.bus.registration.timeout.ms", "2500");

        assertThat(EventBrokerSettings.from(properties).orElseThrow().waits())
            .isEqualTo(new BrokerWaits(Duration.ofMillis(1500), Duration.ofMillis(2500)));
    }

    @Test
    void aWaitOfZeroIsRefused() {
        BaseConfiguration properties = properties("amqp://127.0.0.1:5679");
        properties.setProperty("management.user", "guest");
        properties.setProperty("management.password", "guest");
        properties.setProperty("event.bus.publish.timeout.ms", "0");

        assertThatThrownBy(() -> EventBrokerSettings.from(properties))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("event.bus.publish.timeout.ms");
    }

    @Test
    void somethingThatIsNotAnAmqpUriIsRefusedWithTheKeyNamed() {
        BaseConfiguration properties = properties("127.0.0.1:5672");
        properties.setProperty("management.user", "guest");
        properties.setProperty("management.password", "guest");

        assertThatThrownBy(() -> EventBrokerSettings.from(properties))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("rabbitmq.properties: uri must look like amqp://host:5672");
    }

    private static BaseConfiguration properties(String uri) {
        BaseConfiguration properties = new BaseConfiguration();
        properties.setProperty("uri", uri);
        return properties;
    }
}
