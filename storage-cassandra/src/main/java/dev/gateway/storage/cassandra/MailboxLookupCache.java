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

    // Asked for at the first lookup, not at construction: James's RabbitMQ bus needs the mailbox mappers itself (its
    // event serializer resolves quota roots through them).
    private final Supplier<EventBus> eventBus;
    private final boolean keeps;
    private final ShortLivedCache<MailboxPath, Mailbox> byPath;
    private final Cache<MailboxId, Registration> registrations;
    private final Listener listener = new Listener();

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

    /** Completes once this node hears of the mailbox's changes, or once it is known that it will not. */
    private Mono<Void> watch(MailboxId id) {
        return Mono.from(eventBus.get().register(listener, new MailboxIdRegistrationKey(id)))
            .doOnNext(registration -> {
                Registration earlier = registrations.asMap().putIfAbsent(id, registration);
                if (earlier != null) {
                    Mono.from(registration.unregister()).subscribe();
                }
            })
            .then()
            .onErrorResume(e -> {
                // Not heard of, so not kept: the invalidation makes the cache drop the answer of the lookup under way.
                LOGGER.warn("Could not listen to the events of mailbox {}: looked up without keeping it", id.serialize(), e);
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
        Mono.from(removal.getValue().unregister())
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
