package dev.gateway.events.rabbitmq;

import static org.apache.james.events.NamingStrategy.MAILBOX_EVENT_NAMING_STRATEGY;

import java.io.FileNotFoundException;
import java.util.Optional;
import java.util.Set;

import javax.inject.Singleton;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.backends.rabbitmq.RabbitMQConfiguration;
import org.apache.james.backends.rabbitmq.RabbitMQHealthCheck;
import org.apache.james.backends.rabbitmq.ReactorRabbitMQChannelPool;
import org.apache.james.backends.rabbitmq.ReceiverProvider;
import org.apache.james.backends.rabbitmq.SimpleConnectionPool;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.event.json.MailboxEventSerializer;
import org.apache.james.events.EventBus;
import org.apache.james.events.EventBusId;
import org.apache.james.events.EventBusReconnectionHandler;
import org.apache.james.events.EventDeadLetters;
import org.apache.james.events.EventSerializer;
import org.apache.james.events.KeyReconnectionHandler;
import org.apache.james.events.NamingStrategy;
import org.apache.james.events.RabbitMQEventBus;
import org.apache.james.events.RegistrationKey;
import org.apache.james.events.RetryBackoffConfiguration;
import org.apache.james.mailbox.events.MailboxIdRegistrationKey;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.apache.james.utils.PropertiesProvider;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;

import reactor.rabbitmq.RabbitFlux;
import reactor.rabbitmq.ReceiverOptions;
import reactor.rabbitmq.Sender;
import reactor.rabbitmq.SenderOptions;

/**
 * Mailbox events through RabbitMQ, so that every node hears of a change made through any node: an IMAP session in
 * IDLE on node B is told of a message delivered through node A. James's {@link RabbitMQEventBus} replaces the in-VM
 * bus (install this module as an override of the mailbox store's module). The same bindings as James's
 * {@code RabbitMQModule} (connection and channel pools) and {@code RabbitMQEventBusModule} (the bus), which are not
 * published for 3.8.1, without the mail queue parts (the queue is in Cassandra) and without the dead-letter-queue
 * health check, which needs the broker's management plugin.
 *
 * <p>The mailboxes, IMAP and WebAdmin get the bus through {@link OutageTolerantEventBus}: a broker outage then delays
 * a change by {@link BrokerWaits} at most, instead of hanging it for minutes and failing it once stored.
 *
 * <p>Dead letters of listeners stay where the store's module keeps them (in the heap, per node: James's Cassandra
 * dead letters, {@code dead-letter-cassandra}, are not published for 3.8.1).
 */
public final class RabbitMQEventBusModule extends AbstractModule {

    static final String CONFIGURATION_NAME = "rabbitmq";

    private final EventBrokerSettings settings;

    public RabbitMQEventBusModule(EventBrokerSettings settings) {
        this.settings = settings;
    }

    /** The module for the broker {@code rabbitmq.properties} names, or none when it names none (or is missing). */
    public static Optional<RabbitMQEventBusModule> configured(PropertiesProvider properties) throws ConfigurationException {
        try {
            return EventBrokerSettings.from(properties.getConfiguration(CONFIGURATION_NAME)).map(RabbitMQEventBusModule::new);
        } catch (FileNotFoundException e) {
            return Optional.empty();
        }
    }

    @Override
    protected void configure() {
        bind(RabbitMQConfiguration.class).toInstance(settings.rabbitMQ());
        bind(SimpleConnectionPool.Configuration.class).toInstance(settings.connectionPool());
        bind(SimpleConnectionPool.class).in(Scopes.SINGLETON);

        bind(MailboxEventSerializer.class).in(Scopes.SINGLETON);
        bind(EventSerializer.class).to(MailboxEventSerializer.class);
        bind(NamingStrategy.class).toInstance(MAILBOX_EVENT_NAMING_STRATEGY);
        bind(RabbitMQEventBus.class).in(Scopes.SINGLETON);
        bind(BrokerWaits.class).toInstance(settings.waits());
        // The mailboxes, IMAP and WebAdmin use James's bus through a bounded wait for the broker (issue 16).
        bind(EventBus.class).to(OutageTolerantEventBus.class);
        Multibinder.newSetBinder(binder(), EventBus.class).addBinding().to(EventBus.class);
        // IMAP sessions listen by mailbox: the key their registrations travel under between nodes.
        Multibinder.newSetBinder(binder(), RegistrationKey.Factory.class).addBinding().to(MailboxIdRegistrationKey.Factory.class);
        bind(RetryBackoffConfiguration.class).toInstance(RetryBackoffConfiguration.DEFAULT);
        // One id per node and start: a node ignores the key-bound events it sent itself (it delivered them locally).
        bind(EventBusId.class).toInstance(EventBusId.random());

        Multibinder<SimpleConnectionPool.ReconnectionHandler> reconnection =
            Multibinder.newSetBinder(binder(), SimpleConnectionPool.ReconnectionHandler.class);
        // First, as it only schedules its work: James's restart() leaves the node's queue without a consumer, and a
        // caller that gives up on the connection would cancel the handlers after the one running
        // (KeyEventsAfterReconnection).
        bind(KeyedListeners.class).in(Scopes.SINGLETON);
        bind(ReplacedConnections.class).in(Scopes.SINGLETON);
        bind(ResourceChannel.class).in(Scopes.SINGLETON);
        bind(KeyEventsAfterReconnection.class).in(Scopes.SINGLETON);
        reconnection.addBinding().to(KeyEventsAfterReconnection.class);
        // Not a reconnection handler: it opens its channels on the connection ReplacedConnections knows, which
        // KeyEventsAfterReconnection updates on each reconnection.
        bind(ReactorRabbitMQChannelPool.class).to(PublishingChannels.class);
        reconnection.addBinding().to(KeyReconnectionHandler.class);
        reconnection.addBinding().to(EventBusReconnectionHandler.class);

        Multibinder.newSetBinder(binder(), HealthCheck.class).addBinding().to(RabbitMQHealthCheck.class);
    }

    @Provides
    @Singleton
    PublishingChannels channelPool(SimpleConnectionPool connections, ReplacedConnections replaced,
                                   MetricFactory metrics) {
        PublishingChannels channels =
            new PublishingChannels(connections.getResilientConnection(), replaced, settings.channelPool(), metrics);
        channels.start();
        return channels;
    }

    @Provides
    @Singleton
    OutageTolerantEventBus outageTolerantBus(RabbitMQEventBus bus, EventDeadLetters deadLetters, BrokerWaits waits,
                                             KeyedListeners keyedListeners, NodeQueue nodeQueue) {
        return new OutageTolerantEventBus(bus, deadLetters, waits, keyedListeners, nodeQueue);
    }

    /**
     * James's sender ({@code ReactorRabbitMQChannelPool.getSender()}) but for its resource channel: publications go
     * through the channel pool as in James; declarations and bindings through {@link ResourceChannel}, which follows
     * the pool's current connection instead of keeping the first connection's channel for good.
     */
    @Provides
    @Singleton
    Sender sender(ReactorRabbitMQChannelPool channels, SimpleConnectionPool connections, ResourceChannel resources) {
        return RabbitFlux.createSender(new SenderOptions()
            .connectionMono(connections.getResilientConnection())
            .channelPool(channels)
            .resourceManagementChannelMono(resources.channel()));
    }

    @Provides
    @Singleton
    ReceiverProvider receivers(SimpleConnectionPool connections) {
        return () -> RabbitFlux.createReceiver(new ReceiverOptions().connectionMono(connections.getResilientConnection()));
    }

    @ProvidesIntoSet
    InitializationOperation connect(SimpleConnectionPool connections, Set<SimpleConnectionPool.ReconnectionHandler> handlers) {
        return InitilizationOperationBuilder.forClass(SimpleConnectionPool.class)
            .init(() -> connections.init(handlers));
    }

    @ProvidesIntoSet
    InitializationOperation rememberFirstConnection(ReplacedConnections replaced) {
        return InitilizationOperationBuilder.forClass(ReplacedConnections.class)
            .init(replaced::start);
    }

    @ProvidesIntoSet
    InitializationOperation startBus(RabbitMQEventBus bus) {
        return InitilizationOperationBuilder.forClass(RabbitMQEventBus.class)
            .init(bus::start);
    }
}
