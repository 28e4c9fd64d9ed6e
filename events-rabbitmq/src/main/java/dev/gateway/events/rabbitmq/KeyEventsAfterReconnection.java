package dev.gateway.events.rabbitmq;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.annotation.PreDestroy;
import javax.inject.Inject;

import org.apache.james.backends.rabbitmq.RabbitMQConfiguration;
import org.apache.james.backends.rabbitmq.ReceiverProvider;
import org.apache.james.backends.rabbitmq.SimpleConnectionPool;
import org.apache.james.events.Event;
import org.apache.james.events.EventBus;
import org.apache.james.events.EventListener;
import org.apache.james.events.EventSerializer;
import org.apache.james.events.RegistrationKey;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.rabbitmq.ConsumeOptions;
import reactor.rabbitmq.Receiver;
import reactor.util.retry.Retry;

/**
 * After the node reconnects to the broker, its IMAP sessions hear other nodes' changes again (issue 16).
 *
 * <p>Why: James 3.8.1 delivers the events bound to a key (a session's selected mailbox) through one consumer of the
 * node's own queue, and its {@code KeyRegistrationHandler.restart()}, which James runs on every reconnection, disposes
 * that consumer and starts none (it swaps the consumer for itself). From the first broker outage on, IDLE on this
 * node heard nothing of another node's APPEND until the node restarted. James's group consumers restart correctly and
 * are left to James.
 *
 * <p>So on each reconnection this handler declares the node's queue (it may have gone with the broker: it is
 * auto-delete), binds again the key of every listener this node has ({@link KeyedListeners}: the bindings go with the
 * queue), and consumes the queue itself, handing each event to the listeners of its key, as James's consumer did:
 * not to this node's synchronous listeners for an event this node sent (they had it locally). James's consumer is
 * gone by then, so each event is handled once.
 *
 * <p>Before that it closes the connection the pool replaced ({@link ReplacedConnections}): recovered by the client,
 * it would bring James's disposed consumer back on this queue, a second consumer that drops what it is given. And the
 * queue is auto-delete: when the last consumer of the old connection goes, the broker may delete it after this node
 * declared it again, or while it binds it. So this handler's consumer sets itself up again (declare, bind, consume)
 * whenever its consumption ends (the broker cancels a consumer whose queue was deleted) or fails, until the next
 * reconnection replaces it.
 *
 * <p>The channel pool ({@link PublishingChannels}) also opens its channels on the connection
 * {@code ReplacedConnections} knows: what this handler tells it is how the pool hears of the replacement.
 */
public final class KeyEventsAfterReconnection implements SimpleConnectionPool.ReconnectionHandler {

    private static final Logger LOGGER = LoggerFactory.getLogger(KeyEventsAfterReconnection.class);
    /** The header James's dispatcher names the sending node in ({@code RabbitMQEventBus.EVENT_BUS_ID}). */
    private static final String SENDING_NODE = "eventBusId";
    /** As James's {@code KeyReconnectionHandler} declares it: durable, not exclusive, auto-delete. */
    private static final boolean DURABLE = true;
    private static final boolean EXCLUSIVE = false;
    private static final boolean AUTO_DELETE = true;
    private static final Duration SET_UP_AGAIN_AFTER = Duration.ofMillis(200);
    private static final Duration SET_UP_AGAIN_AT_MOST_EVERY = Duration.ofSeconds(10);

    private final NodeQueue queue;
    private final RabbitMQConfiguration configuration;
    private final EventSerializer serializer;
    private final ReceiverProvider receivers;
    private final KeyedListeners listeners;
    private final ReplacedConnections replaced;
    private final Scheduler scheduler;
    private final AtomicReference<Optional<Disposable>> consumer = new AtomicReference<>(Optional.empty());

    @Inject
    public KeyEventsAfterReconnection(NodeQueue queue, RabbitMQConfiguration configuration,
                                      EventSerializer serializer, ReceiverProvider receivers, KeyedListeners listeners,
                                      ReplacedConnections replaced) {
        this.queue = queue;
        this.configuration = configuration;
        this.serializer = serializer;
        this.receivers = receivers;
        this.listeners = listeners;
        this.replaced = replaced;
        this.scheduler = Schedulers.newBoundedElastic(EventBus.EXECUTION_RATE, 10_000, "keys-after-reconnection", 60, true);
    }

    @Override
    public Publisher<Void> handleReconnection(Connection connection) {
        // Scheduled, not run in the handlers' chain: whoever asked for the connection may give up on it (the health
        // check waits 1 s), which would cancel the handlers not yet run; this one must run once per reconnection.
        return Mono.fromRunnable(() -> scheduler.schedule(() -> {
            replaced.closeReplacedBy(connection);
            consume(connection);
        }));
    }

    private List<RegistrationKey> bindAgain(Connection connection) throws Exception {
        List<RegistrationKey> keys = listeners.keys();
        try (Channel channel = connection.createChannel()) {
            Map<String, Object> arguments = queueArguments();
            channel.queueDeclare(queue(), DURABLE, EXCLUSIVE, AUTO_DELETE, arguments);
            for (RegistrationKey key : keys) {
                channel.queueBind(queue(), queue.exchange(), KeyedListeners.routingKey(key));
            }
        }
        return keys;
    }

    private Map<String, Object> queueArguments() {
        var builder = configuration.workQueueArgumentsBuilder(false);
        configuration.getQueueTTL().ifPresent(builder::queueTTL);
        return builder.build();
    }

    private void consume(Connection connection) {
        AtomicInteger setUps = new AtomicInteger();
        Disposable started = Mono.fromCallable(() -> bindAgain(connection))
            .doOnNext(keys -> LOGGER.info("{} to the broker: queue {} declared, {} key(s) bound again, its events handed to this node's sessions",
                setUps.getAndIncrement() == 0 ? "Reconnected" : "Consuming again", queue(), keys.size()))
            .thenMany(Flux.using(receivers::createReceiver,
                receiver -> receiver.consumeAutoAck(queue(), new ConsumeOptions().qos(EventBus.EXECUTION_RATE)),
                Receiver::close))
            .flatMap(this::deliver, EventBus.EXECUTION_RATE)
            .doOnComplete(() -> LOGGER.warn("The broker cancelled the consumer of queue {}; setting it up again", queue()))
            .doOnError(failure -> LOGGER.warn("Consuming queue {} failed: {}; setting it up again", queue(), failure.toString()))
            .repeatWhen(ended -> ended.delayElements(SET_UP_AGAIN_AFTER, scheduler))
            .retryWhen(Retry.backoff(Long.MAX_VALUE, SET_UP_AGAIN_AFTER).maxBackoff(SET_UP_AGAIN_AT_MOST_EVERY)
                .transientErrors(true).scheduler(scheduler))
            .subscribeOn(scheduler)
            .subscribe();
        consumer.getAndSet(Optional.of(started)).ifPresent(Disposable::dispose);
    }

    private Mono<Void> deliver(Delivery delivery) {
        if (delivery.getBody() == null) {
            return Mono.empty();
        }
        boolean sentByThisNode = Optional.ofNullable(delivery.getProperties().getHeaders())
            .map(headers -> headers.get(SENDING_NODE))
            .map(Object::toString)
            .map(queue.node()::equals)
            .orElse(false);
        List<EventListener.ReactiveEventListener> targets = listeners.of(delivery.getEnvelope().getRoutingKey()).stream()
            .filter(listener -> !(sentByThisNode && listener.getExecutionMode() == EventListener.ExecutionMode.SYNCHRONOUS))
            .toList();
        if (targets.isEmpty()) {
            return Mono.empty();
        }
        Event event;
        try {
            event = serializer.fromBytes(delivery.getBody());
        } catch (RuntimeException e) {
            LOGGER.error("An event routed under {} could not be read; dropped", delivery.getEnvelope().getRoutingKey(), e);
            return Mono.empty();
        }
        return Flux.fromIterable(targets)
            .flatMap(listener -> Mono.from(listener.reactiveEvent(event))
                .onErrorResume(failure -> {
                    LOGGER.error("A listener of {} failed on event {}", delivery.getEnvelope().getRoutingKey(),
                        event.getEventId().getId(), failure);
                    return Mono.empty();
                }), EventBus.EXECUTION_RATE)
            .then();
    }

    private String queue() {
        return queue.name();
    }

    @PreDestroy
    public void stop() {
        consumer.get().ifPresent(Disposable::dispose);
        scheduler.dispose();
    }
}
