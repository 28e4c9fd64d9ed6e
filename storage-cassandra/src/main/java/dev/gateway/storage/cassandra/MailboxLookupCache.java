package dev.gateway.storage.cassandra;

import java.time.Duration;
import java.util.function.Supplier;

import org.apache.james.events.Event;
import org.apache.james.events.EventBus;
import org.apache.james.events.EventListener;
import org.apache.james.events.Registration;
import org.apache.james.mailbox.events.MailboxEvents;
import org.apache.james.mailbox.events.MailboxIdRegistrationKey;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MailboxPath;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.common.cache.RemovalCause;
import com.google.common.cache.RemovalNotification;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Mailboxes looked up by name, kept for the lookup caches' bound: every delivered message looks its INBOX up by name,
 * which on Cassandra reads {@code mailboxPathV3} and then the mailbox's ACL ({@code aclv2}), two of the thirteen
 * requests a message costs (docs/benchmarks.md).
 *
 * <p>What keeps an entry true. A change made through this node (rename, delete, ACL) clears the cache when the
 * mapper has made it ({@link CachingMailboxMapper}). A change made through another node reaches this one as a mailbox
 * event: before a mailbox is kept, this node registers on the event bus for that mailbox's events
 * ({@link MailboxIdRegistrationKey}, the key James dispatches renames, deletions and ACL updates with), and the lookup
 * is read again once the registration holds, so no change after the kept read can go unheard. With the RabbitMQ bus
 * that is every node's change; with James's in-VM bus (no broker configured) only this node's, and the
 * {@code ttl} is the bound on another node's. A change made without an event (a WebAdmin repair task writing the
 * tables directly) is also seen within the {@code ttl}.
 *
 * <p>Only answers are kept, never "no such mailbox": a mailbox created anywhere is found at once. Each caller gets
 * its own copy, since James changes the {@link Mailbox} it is given (a rename sets its new name on it).
 */
public final class MailboxLookupCache {

    private static final Logger LOGGER = LoggerFactory.getLogger(MailboxLookupCache.class);
    // A registration outlives the entries that depend on it: it is touched at every load of its mailbox.
    private static final Duration MIN_REGISTRATION_IDLE = Duration.ofMinutes(10);
    // A registration takes milliseconds with the broker up; past this the lookup goes on without keeping its answer.
    private static final Duration REGISTRATION_WAIT = Duration.ofSeconds(1);

    // Asked for at the first lookup, not at construction: James's RabbitMQ bus needs the mailbox mappers itself (its
    // event serializer resolves quota roots through them).
    private final Supplier<EventBus> eventBus;
    private final boolean keeps;
    private final ShortLivedCache<MailboxPath, Mailbox> byPath;
    private final Cache<MailboxId, Registration> registrations;
    private final Listener listener = new Listener();
    /**
     * Where the bus is called: never the caller's thread, which may be the Cassandra driver's I/O thread that answered
     * the lookup. During a broker outage James's RabbitMQ bus may hold the thread that subscribes to a registration
     * while it retries its connection for minutes: on a driver thread that stalled every request of its connection
     * (BrokerOutageIT: a SELECT took 470 s). Held here, it delays only what this cache keeps.
     */
    private final Scheduler busCalls = Schedulers.newBoundedElastic(2, 10_000, "mailbox-lookup-events", 60, true);

    public MailboxLookupCache(Supplier<EventBus> eventBus, Duration ttl, long maxEntries) {
        this.eventBus = eventBus;
        this.keeps = !ttl.isZero() && maxEntries > 0;
        this.byPath = new ShortLivedCache<>(ttl, maxEntries);
        Duration idle = ttl.multipliedBy(2).compareTo(MIN_REGISTRATION_IDLE) > 0 ? ttl.multipliedBy(2) : MIN_REGISTRATION_IDLE;
        this.registrations = CacheBuilder.newBuilder()
            .expireAfterAccess(idle)
            .maximumSize(Math.max(maxEntries, 1))
            .removalListener(this::unregister)
            .build();
    }

    /** The mailbox at {@code path}, from the cache or from {@code lookup}; a copy the caller may change. */
    public Mono<Mailbox> find(MailboxPath path, Supplier<Mono<Mailbox>> lookup) {
        if (!keeps) {
            return lookup.get();
        }
        return byPath.getReactive(path, () -> lookup.get()
                .flatMap(mailbox -> registrations.getIfPresent(mailbox.getMailboxId()) != null
                    ? Mono.just(mailbox)
                    : watch(mailbox.getMailboxId()).then(lookup.get())))
            .map(Mailbox::new);
    }

    /** After a change to a mailbox through this node: nothing read before it is served again. */
    public void invalidate() {
        byPath.invalidateAll();
    }

    /**
     * Completes once this node hears of the mailbox's changes, or after {@link #REGISTRATION_WAIT} (the answer under
     * way is then not kept). The registration goes on either way and is recorded when it completes, so a later lookup
     * keeps its answer.
     */
    private Mono<Void> watch(MailboxId id) {
        Mono<Registration> registering = Mono.defer(() -> Mono.from(eventBus.get().register(listener, new MailboxIdRegistrationKey(id))))
            .subscribeOn(busCalls)
            .cache();
        registering.subscribe(registration -> {
            Registration earlier = registrations.asMap().putIfAbsent(id, registration);
            if (earlier != null) {
                Mono.defer(() -> Mono.from(registration.unregister())).subscribeOn(busCalls).subscribe();
            }
        }, e -> LOGGER.warn("Could not listen to the events of mailbox {}", id.serialize(), e));
        return registering.timeout(REGISTRATION_WAIT)
            .then()
            .onErrorResume(e -> {
                // Not heard of yet, so not kept: the invalidation makes the cache drop the answer of the lookup under way.
                LOGGER.info("Not listening to the events of mailbox {} yet ({}): looked up without keeping it",
                    id.serialize(), e.toString());
                invalidate();
                return Mono.empty();
            });
    }

    private void unregister(RemovalNotification<MailboxId, Registration> removal) {
        if (removal.getCause() == RemovalCause.REPLACED) {
            return;
        }
        if (removal.getCause() == RemovalCause.SIZE) {
            // Kept mailboxes may depend on it: they go with it.
            invalidate();
        }
        Mono.defer(() -> Mono.from(removal.getValue().unregister()))
            .subscribeOn(busCalls)
            .subscribe(done -> { }, e -> LOGGER.warn("Could not stop listening to mailbox {}", removal.getKey(), e));
    }

    private final class Listener implements EventListener.ReactiveEventListener {
        @Override
        public boolean isHandling(Event event) {
            return event instanceof MailboxEvents.MailboxRenamed
                || event instanceof MailboxEvents.MailboxDeletion
                || event instanceof MailboxEvents.MailboxACLUpdated;
        }

        @Override
        public Publisher<Void> reactiveEvent(Event event) {
            return Mono.fromRunnable(MailboxLookupCache.this::invalidate);
        }

        @Override
        public ExecutionMode getExecutionMode() {
            return ExecutionMode.SYNCHRONOUS;
        }
    }
}
