package dev.gateway.events.rabbitmq;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import javax.inject.Inject;

import org.apache.james.backends.rabbitmq.SimpleConnectionPool;

import com.rabbitmq.client.Channel;

import reactor.core.publisher.Mono;

/**
 * The channel the bus declares queues, binds and unbinds keys on: one open channel of the pool's current connection,
 * opened again on that connection once it is closed.
 *
 * <p>Why: James 3.8.1's sender opens this channel once and keeps it for good, so after a broker outage it works
 * only if the first connection comes back by the client's own recovery. With {@link ReplacedConnections} closing a
 * connection the pool replaced, that channel would stay closed, and no IMAP session could bind its mailbox again.
 */
public final class ResourceChannel {

    private final SimpleConnectionPool connections;
    private final AtomicReference<Optional<Channel>> current = new AtomicReference<>(Optional.empty());

    @Inject
    public ResourceChannel(SimpleConnectionPool connections) {
        this.connections = connections;
    }

    /** The channel, or a new one on the pool's connection (reconnecting when needed) if the last one closed. */
    public Mono<Channel> channel() {
        return Mono.defer(() -> {
            Optional<Channel> last = current.get();
            if (last.filter(Channel::isOpen).isPresent()) {
                return Mono.just(last.get());
            }
            return connections.getResilientConnection()
                .map(connection -> {
                    try {
                        return Optional.ofNullable(connection.createChannel())
                            .orElseThrow(() -> new IllegalStateException("the broker connection has no channel left"));
                    } catch (IOException e) {
                        throw new IllegalStateException("no channel on the broker connection", e);
                    }
                })
                .map(opened -> keep(last, opened));
        });
    }

    /** Keeps {@code opened} unless another caller replaced {@code last} first; then uses theirs and closes this one. */
    private Channel keep(Optional<Channel> last, Channel opened) {
        if (current.compareAndSet(last, Optional.of(opened))) {
            return opened;
        }
        QuietClose.channel(opened);
        return current.get().orElseThrow();
    }
}
