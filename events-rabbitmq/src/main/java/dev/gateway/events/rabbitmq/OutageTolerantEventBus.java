package dev.gateway.events.rabbitmq;

import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import javax.annotation.PreDestroy;

import org.apache.james.events.DispatchingFailureGroup;
import org.apache.james.events.Event;
import org.apache.james.events.EventBus;
import org.apache.james.events.EventBusName;
import org.apache.james.events.EventDeadLetters;
import org.apache.james.events.EventListener;
import org.apache.james.events.Group;
import org.apache.james.events.GroupAlreadyRegistered;
import org.apache.james.events.Registration;
import org.apache.james.events.RegistrationKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * James's {@code RabbitMQEventBus}, with a bounded wait for the broker, so that a broker outage neither hangs a
 * mailbox operation nor fails one whose change is already stored (issue 16, docs/storage-cassandra.md).
 *
 * <p>Why: James 3.8.1 stores a message first and dispatches its event after, and fails the operation when the
 * dispatch fails. With the broker down, the publication waits for a connection that {@code RabbitMQConnectionFactory}
 * retries 7 times from 3 s, doubling (about five minutes), under the publish-confirm retry of
 * {@code EventDispatcher}: IMAP APPEND answered NO after 300 s for a message it had stored, and each retry of
 * {@code LocalDelivery} stored the message again.
 *
 * <ul>
 *     <li>{@link #dispatch}: this node's synchronous listeners (its IMAP sessions) run first, as in James; the
 *     publication to the other nodes is then given {@link BrokerWaits#publish()}. When it does not finish in time, the
 *     event goes to the dead letters under James's {@link DispatchingFailureGroup}, from which WebAdmin redelivers it
 *     to every group, and the operation succeeds. When James's own dispatch fails sooner, James has already put it
 *     there (or its groups had it), and the operation succeeds as well.</li>
 *     <li>{@link #register(EventListener.ReactiveEventListener, RegistrationKey)}: James adds the listener to this
 *     node at once and then binds its key on the broker; a SELECT waits {@link BrokerWaits#registration()} for that
 *     binding, then goes on with the events of this node only, while the binding is retried until the broker is back
 *     ({@link PendingRegistration}).</li>
 * </ul>
 */
public final class OutageTolerantEventBus implements EventBus {

    private static final Logger LOGGER = LoggerFactory.getLogger(OutageTolerantEventBus.class);
    /** A binding is retried from 1 s, doubling up to 30 s, for as long as the broker is away. */
    private static final Duration FIRST_REBIND = Duration.ofSeconds(1);
    private static final Duration LAST_REBIND = Duration.ofSeconds(30);

    private final EventBus broker;
    private final EventDeadLetters deadLetters;
    private final BrokerWaits waits;
    private final KeyedListeners keyedListeners;
    private final NodeQueue nodeQueue;
    /**
     * Dispatches start here, not on the caller's thread: James's channel pool may open the connection on the
     * subscribing thread and block it for minutes, and a blocked caller would outlive any timeout. Its own threads, so
     * an outage cannot use up Reactor's shared bounded-elastic pool that the mailboxes need.
     */
    private final Scheduler publishers;

    public OutageTolerantEventBus(EventBus broker, EventDeadLetters deadLetters, BrokerWaits waits,
                                  KeyedListeners keyedListeners, NodeQueue nodeQueue) {
        this.broker = broker;
        this.deadLetters = deadLetters;
        this.waits = waits;
        this.keyedListeners = keyedListeners;
        this.nodeQueue = nodeQueue;
        this.publishers = Schedulers.newBoundedElastic(4 * Runtime.getRuntime().availableProcessors(),
            10_000, "event-publish", 60, true);
    }

    @Override
    public Mono<Void> dispatch(Event event, Set<RegistrationKey> keys) {
        return Mono.defer(() -> broker.dispatch(event, keys))
            .subscribeOn(publishers)
            .timeout(waits.publish())
            .onErrorResume(TimeoutException.class, timeout -> keepForRedelivery(event))
            .onErrorResume(failure -> {
                // James logged it and stored the event under its dispatching-failure group (or only the key-bound
                // copies, which no redelivery could bring, were lost): the change itself is stored.
                LOGGER.warn("Event {} ({}) of {} was not published to the other nodes: {}; the operation goes on",
                    event.getEventId().getId(), event.getClass().getSimpleName(), event.getUsername().asString(),
                    failure.toString());
                return Mono.empty();
            });
    }

    private Mono<Void> keepForRedelivery(Event event) {
        DispatchingFailureGroup group = new DispatchingFailureGroup(broker.eventBusName());
        LOGGER.error("Event {} ({}) of {} was not published to the other nodes within {} ms (is the broker down?); "
                + "kept in the dead letters under {} for redelivery (WebAdmin /events/deadLetter)",
            event.getEventId().getId(), event.getClass().getSimpleName(), event.getUsername().asString(),
            waits.publish().toMillis(), group.asString());
        return deadLetters.store(group, event)
            .onErrorResume(e -> {
                LOGGER.error("Event {} could not be kept in the dead letters either", event.getEventId().getId(), e);
                return Mono.empty();
            })
            .then();
    }

    @Override
    public Mono<Registration> register(EventListener.ReactiveEventListener listener, RegistrationKey key) {
        // James adds the listener to this node here, before its key is bound on the broker; resubscribing retries
        // only the binding.
        Mono<Registration> bound = Mono.from(broker.register(listener, key))
            .retryWhen(Retry.backoff(Long.MAX_VALUE, FIRST_REBIND).maxBackoff(LAST_REBIND)
                .doBeforeRetry(retry -> LOGGER.warn("Binding {} on the broker failed ({}), retrying",
                    key.asString(), retry.failure().toString())))
            .map(this::boundedUnregistration)
            .cache();
        // Subscribed here too, so that the binding goes on whatever the caller does (the timeout below cancels its
        // own subscription only).
        bound.subscribe(registration -> { }, failure -> LOGGER.error("Binding {} on the broker failed", key.asString(), failure));
        // Kept for KeyEventsAfterReconnection, which binds the key again and serves the listener after the broker
        // comes back (James's own consumer of the node's queue is gone then).
        Runnable forget = keyedListeners.add(key, listener);
        return bound
            .timeout(waits.registration(), Mono.fromSupplier(() -> {
                LOGGER.warn("{} is not bound on the broker after {} ms (is the broker down?): this session hears of "
                    + "changes made on this node only until it is", key.asString(), waits.registration().toMillis());
                return new PendingRegistration(bound);
            }))
            .map(registration -> forgetting(key, forget, registration));
    }

    /**
     * The session's end: the listener leaves this node at once, then James unbinds the key if it was the last one. That
     * unbinding is not ordered with the binding of a session that selects the same mailbox meanwhile (James decides
     * both at once and runs them later, each on its own): when it lands last, the new session hears no other node
     * again. Seen after a broker outage, where the unbinding waited on a stale channel. So once it has landed, the key
     * is bound again if this node still has a listener for it.
     */
    private Registration forgetting(RegistrationKey key, Runnable forget, Registration registration) {
        return () -> {
            forget.run();
            return Mono.from(registration.unregister())
                .then(Mono.defer(() -> keyedListeners.has(key) ? rebind(key) : Mono.empty()));
        };
    }

    /**
     * On this bus's own threads: a session ends on its connection's I/O thread, and during an outage the binding opens
     * the broker connection on the subscribing thread and holds it while it retries. Held there, the I/O thread stopped
     * serving every other connection on it: with the mailbox lookups keeping a listener on the INBOX's key, each IMAP
     * logout rebinds it, and the next LOGIN on that thread waited minutes (BrokerOutageIT).
     */
    private Mono<Void> rebind(RegistrationKey key) {
        return Mono.defer(() -> nodeQueue.bind(key))
            .subscribeOn(publishers)
            .timeout(waits.registration())
            .onErrorResume(failure -> {
                LOGGER.warn("Binding {} again after another session's end failed: {}", key.asString(), failure.toString());
                return Mono.empty();
            });
    }

    /** Unbinding during an outage would wait as long as binding: a session's end waits a bounded time for it. */
    private Registration boundedUnregistration(Registration registration) {
        return () -> {
            // Started on this bus's threads for the same reason as rebind's.
            Mono<Void> unbound = Mono.defer(() -> Mono.from(registration.unregister())).subscribeOn(publishers).cache();
            return unbound.timeout(waits.registration())
                .onErrorResume(failure -> {
                    // The listener is gone from this node already; a binding left on the broker only brings this
                    // node events it drops, until the broker forgets the queue.
                    LOGGER.warn("Unbinding from the broker did not finish: {}", failure.toString());
                    return Mono.empty();
                });
        };
    }

    @Override
    public Registration register(EventListener.ReactiveEventListener listener, Group group) throws GroupAlreadyRegistered {
        return broker.register(listener, group);
    }

    @Override
    public Mono<Void> reDeliver(Group group, Event event) {
        // Not bounded: a redelivery that fails keeps its dead letter, which is what WebAdmin reports.
        return broker.reDeliver(group, event);
    }

    @Override
    public EventBusName eventBusName() {
        return broker.eventBusName();
    }

    @Override
    public Collection<Group> listRegisteredGroups() {
        return broker.listRegisteredGroups();
    }

    @PreDestroy
    public void stop() {
        publishers.dispose();
    }
}
