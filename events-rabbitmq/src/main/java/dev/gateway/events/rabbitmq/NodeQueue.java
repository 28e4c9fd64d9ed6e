package dev.gateway.events.rabbitmq;

import javax.inject.Inject;

import org.apache.james.events.EventBusId;
import org.apache.james.events.NamingStrategy;
import org.apache.james.events.RegistrationKey;

import reactor.core.publisher.Mono;
import reactor.rabbitmq.BindingSpecification;
import reactor.rabbitmq.Sender;

/**
 * This node's own queue on the broker, where the events bound to its sessions' keys arrive, named and bound as
 * James's {@code RabbitMQEventBus} does (James's types for both are package-private in 3.8.1).
 */
public final class NodeQueue {

    private final NamingStrategy naming;
    private final EventBusId node;
    private final Sender sender;

    @Inject
    public NodeQueue(NamingStrategy naming, EventBusId node, Sender sender) {
        this.naming = naming;
        this.node = node;
        this.sender = sender;
    }

    /** James's {@code NamingStrategy.queueName(eventBusId)}. */
    String name() {
        return naming.getEventBusName().value() + "-eventbus-" + node.asString();
    }

    String exchange() {
        return naming.exchange();
    }

    /** The id the node's dispatcher puts in the {@code eventBusId} header of what it publishes. */
    String node() {
        return node.asString();
    }

    /** Binds the key to this node's queue (idempotent on the broker). */
    Mono<Void> bind(RegistrationKey key) {
        return sender.bind(BindingSpecification.binding()
                .exchange(exchange())
                .queue(name())
                .routingKey(KeyedListeners.routingKey(key)))
            .then();
    }
}
