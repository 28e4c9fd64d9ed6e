package dev.gateway.events.rabbitmq;

import org.apache.james.events.Registration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.publisher.Mono;

/**
 * A session's registration whose key is not bound on the broker yet (the broker is down): the listener already hears
 * this node's events, and the binding is retried in the background. Unregistering before the binding exists cannot
 * remove the listener (James hands out the means only with the binding), so it is removed as soon as the binding
 * arrives, and the session ends at once.
 */
final class PendingRegistration implements Registration {

    private static final Logger LOGGER = LoggerFactory.getLogger(PendingRegistration.class);

    private final Mono<Registration> bound;

    /** @param bound the binding, cached and already under way, retried until it succeeds */
    PendingRegistration(Mono<Registration> bound) {
        this.bound = bound;
        bound.subscribe(registration -> LOGGER.info("A registration that was pending is bound on the broker now"),
            failure -> { });
    }

    @Override
    public Mono<Void> unregister() {
        bound.flatMap(registration -> Mono.from(registration.unregister()))
            .subscribe(done -> { }, failure -> LOGGER.warn("Unregistering a late binding failed: {}", failure.toString()));
        return Mono.empty();
    }
}
