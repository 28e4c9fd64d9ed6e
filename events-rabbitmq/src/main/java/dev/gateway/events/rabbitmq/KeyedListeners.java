package dev.gateway.events.rabbitmq;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.james.events.EventListener;
import org.apache.james.events.RegistrationKey;

import com.google.common.collect.ImmutableList;

/**
 * The listeners this node's sessions registered by key (an IMAP session's selected mailbox), kept beside James's own
 * registry, which is private to its {@code RabbitMQEventBus}: after a reconnection to the broker,
 * {@link KeyEventsAfterReconnection} needs them to bind their keys again and to hand them what arrives.
 */
final class KeyedListeners {

    private record Bound(RegistrationKey key, List<EventListener.ReactiveEventListener> listeners) { }

    private final Map<String, Bound> byRoutingKey = new ConcurrentHashMap<>();

    /**
     * Adds a listener under its key; running the answer removes it again.
     */
    Runnable add(RegistrationKey key, EventListener.ReactiveEventListener listener) {
        String routingKey = routingKey(key);
        byRoutingKey.compute(routingKey, (ignored, bound) -> {
            Bound kept = bound == null ? new Bound(key, new CopyOnWriteArrayList<>()) : bound;
            kept.listeners().add(listener);
            return kept;
        });
        return () -> byRoutingKey.computeIfPresent(routingKey, (ignored, bound) -> {
            bound.listeners().remove(listener);
            return bound.listeners().isEmpty() ? null : bound;
        });
    }

    boolean has(RegistrationKey key) {
        return byRoutingKey.containsKey(routingKey(key));
    }

    /** The keys that have at least one listener on this node. */
    List<RegistrationKey> keys() {
        return byRoutingKey.values().stream().map(Bound::key).collect(ImmutableList.toImmutableList());
    }

    /** The listeners of the key a message was routed under (its routing key as the broker gives it). */
    List<EventListener.ReactiveEventListener> of(String routingKey) {
        Bound bound = byRoutingKey.get(routingKey);
        return bound == null ? List.of() : ImmutableList.copyOf(bound.listeners());
    }

    /**
     * The routing key James binds a registration key under ({@code RoutingKeyConverter.RoutingKey.asString()} in James
     * 3.8.1, package-private there): the key's class's simple name, a colon, its value.
     */
    static String routingKey(RegistrationKey key) {
        return key.getClass().getSimpleName() + ':' + key.asString();
    }
}
