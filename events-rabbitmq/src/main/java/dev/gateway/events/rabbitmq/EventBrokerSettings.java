package dev.gateway.events.rabbitmq;

import java.net.URI;
import java.util.Optional;

import org.apache.commons.configuration2.BaseConfiguration;
import org.apache.commons.configuration2.Configuration;
import org.apache.james.backends.rabbitmq.RabbitMQConfiguration;
import org.apache.james.backends.rabbitmq.SimpleConnectionPool;

/**
 * Where the broker of mailbox events is and how to talk to it, read once from {@code rabbitmq.properties}
 * (docs/storage-cassandra.md). An empty {@code uri} means no broker: the node keeps James's in-VM event bus.
 *
 * <pre>
 * uri=${env:GATEWAY_RABBITMQ_URI:-}                  # amqp://127.0.0.1:5672; empty: events stay in this JVM
 * management.user=${env:GATEWAY_RABBITMQ_USERNAME:-guest}
 * management.password=${env:RABBITMQ_PASSWORD:-guest}
 * </pre>
 *
 * The file is James's own {@code rabbitmq.properties}, so every other key of James's (publish confirms, quorum
 * queues, TLS, pool sizes) is read as James reads it. James logs in with the {@code management.*} credentials (its
 * connection factory takes the AMQP user from them); the management URI James also requires is only used by James's
 * dead-letter-queue health check, which Gateway does not bind, so it defaults to the broker's host on port 15672.
 *
 * @param rabbitMQ the broker, credentials and event bus options
 * @param connectionPool how often and how patiently the one connection is (re)opened
 * @param channelPool how many channels publish at once, how long a publication waits for one and how long opening one
 *                    may take ({@link PublishingChannels})
 * @param waits how long mailbox operations wait for the broker before going on without it ({@link BrokerWaits})
 */
public record EventBrokerSettings(RabbitMQConfiguration rabbitMQ, SimpleConnectionPool.Configuration connectionPool,
                                  PublishingChannels.Settings channelPool, BrokerWaits waits) {

    static final String URI = "uri";
    private static final String MANAGEMENT_URI = "management.uri";

    /** The broker named in the properties, or none when {@code uri} is empty or missing. */
    public static Optional<EventBrokerSettings> from(Configuration properties) {
        String uri = properties.getString(URI, "").trim();
        if (uri.isEmpty()) {
            return Optional.empty();
        }
        URI amqp = amqpUri(uri);
        BaseConfiguration withManagement = new BaseConfiguration();
        properties.getKeys().forEachRemaining(key -> withManagement.setProperty(key, properties.getProperty(key)));
        withManagement.setProperty(URI, uri);
        if (properties.getString(MANAGEMENT_URI, "").isBlank()) {
            withManagement.setProperty(MANAGEMENT_URI, "http://" + amqp.getHost() + ":15672");
        }
        return Optional.of(new EventBrokerSettings(RabbitMQConfiguration.from(withManagement),
            SimpleConnectionPool.Configuration.from(withManagement),
            PublishingChannels.Settings.from(withManagement),
            BrokerWaits.from(withManagement)));
    }

    private static URI amqpUri(String uri) {
        IllegalArgumentException refusal =
            new IllegalArgumentException("rabbitmq.properties: uri must look like amqp://host:5672, not '" + uri + "'");
        URI amqp;
        try {
            amqp = java.net.URI.create(uri);
        } catch (IllegalArgumentException e) {
            refusal.initCause(e);
            throw refusal;
        }
        if (!"amqp".equals(amqp.getScheme()) && !"amqps".equals(amqp.getScheme()) || amqp.getHost() == null) {
            throw refusal;
        }
        return amqp;
    }
}
