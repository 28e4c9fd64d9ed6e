package dev.gateway.events.rabbitmq;

import java.time.Duration;

import org.apache.commons.configuration2.Configuration;

/**
 * How long a mailbox operation waits for the broker before it goes on without it (docs/storage-cassandra.md, "A
 * broker outage"). James 3.8.1 waits for its connection retries instead: about five minutes, with the change already
 * stored.
 *
 * <pre>
 * event.bus.publish.timeout.ms=3000        # an event's publication to the other nodes
 * event.bus.registration.timeout.ms=3000   # binding a selected mailbox to this node's queue (SELECT, EXAMINE)
 * </pre>
 *
 * @param publish how long a dispatch waits for the broker after this node's own listeners ran
 * @param registration how long a key registration waits for its binding before the session goes on without it
 */
public record BrokerWaits(Duration publish, Duration registration) {

    static final String PUBLISH_TIMEOUT = "event.bus.publish.timeout.ms";
    static final String REGISTRATION_TIMEOUT = "event.bus.registration.timeout.ms";
    static final Duration DEFAULT_PUBLISH = Duration.ofSeconds(3);
    static final Duration DEFAULT_REGISTRATION = Duration.ofSeconds(3);

    public BrokerWaits {
        if (publish.isNegative() || publish.isZero() || registration.isNegative() || registration.isZero()) {
            throw new IllegalArgumentException("rabbitmq.properties: " + PUBLISH_TIMEOUT + " and " + REGISTRATION_TIMEOUT
                + " must be positive, not " + publish.toMillis() + " and " + registration.toMillis());
        }
    }

    static BrokerWaits from(Configuration properties) {
        return new BrokerWaits(
            Duration.ofMillis(properties.getLong(PUBLISH_TIMEOUT, DEFAULT_PUBLISH.toMillis())),
            Duration.ofMillis(properties.getLong(REGISTRATION_TIMEOUT, DEFAULT_REGISTRATION.toMillis())));
    }
}
