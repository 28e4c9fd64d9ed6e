package dev.gateway.events.rabbitmq;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import javax.inject.Inject;

import org.apache.james.backends.rabbitmq.SimpleConnectionPool;
import org.apache.james.lifecycle.api.Startable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.rabbitmq.client.Connection;

/**
 * Closes the broker connection that James's connection pool replaced, so that it stops recovering by itself.
 *
 * <p>Why: the RabbitMQ client recovers a lost connection on its own (every 5 s, with its channels, queues, bindings
 * and consumers), and James's {@code SimpleConnectionPool} also replaces a connection it finds closed, running the
 * reconnection handlers on the new one, which start new consumers there. Whichever comes first, James 3.8.1 never
 * closes the connection it replaced: its client then recovers it too, consumers included, although the listeners
 * behind them were disposed. Seen after a broker outage (issue 16): two consumers on each node's queue and on each
 * group's queue, the recovered ones handing their deliveries to nobody. The node's queue is consumed without
 * acknowledgements, so every other event for its IMAP sessions was lost; half of a group's deliveries would wait
 * unacknowledged on a dead consumer until the node stopped.
 *
 * <p>Closing the replaced connection (an abort: it is usually down already) stops its recovery for good, and what its
 * recovered consumers held unacknowledged goes back to the broker's queues for the live consumers.
 *
 * <p>Told of every replacement, it is also where the node's connection is known: {@link PublishingChannels} opens its
 * channels on it, so that one account of the connection follows the reconnections, not two.
 */
public final class ReplacedConnections implements Startable {

    private static final Logger LOGGER = LoggerFactory.getLogger(ReplacedConnections.class);
    /** How long closing a replaced connection that recovered meanwhile may wait for the broker's answer. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);

    private final SimpleConnectionPool connections;
    private final AtomicReference<Optional<Connection>> current = new AtomicReference<>(Optional.empty());

    @Inject
    public ReplacedConnections(SimpleConnectionPool connections) {
        this.connections = connections;
    }

    /** Remembers the connection the node starts with (the pool opens it if none is open yet). */
    public void start() {
        Connection first = connections.getResilientConnection().block();
        current.compareAndSet(Optional.empty(), Optional.ofNullable(first));
    }

    /** The node's connection as last known (at start or from the last reconnection), open or not; none before start. */
    Optional<Connection> current() {
        return current.get();
    }

    /** The pool now uses {@code replacement}: closes the connection used before, unless it is the same one. */
    public void closeReplacedBy(Connection replacement) {
        // Known before the replaced one is closed: the channel pool opens no more channels on a connection closing.
        current.getAndSet(Optional.of(replacement))
            .filter(previous -> previous != replacement)
            .ifPresent(this::close);
    }

    private void close(Connection replaced) {
        try {
            replaced.abort((int) CLOSE_TIMEOUT.toMillis());
            LOGGER.info("The broker connection replaced on reconnection is closed: it no longer recovers its old consumers");
        } catch (RuntimeException e) {
            LOGGER.warn("Closing the broker connection replaced on reconnection failed", e);
        }
    }
}
