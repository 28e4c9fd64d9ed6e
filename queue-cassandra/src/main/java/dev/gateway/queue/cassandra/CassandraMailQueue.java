package dev.gateway.queue.cassandra;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import javax.mail.MessagingException;

import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.mailet.Mail;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.datastax.oss.driver.api.core.uuid.Uuids;

import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A mail queue kept in Cassandra, shared by every gateway node that uses the same keyspace.
 *
 * <p>Mails live in partitions per queue and slice of due time; a node dequeues a due mail by taking its lease
 * (a lightweight transaction with a TTL), processes it, then marks it done and deletes it. A node that dies holding
 * leases stops renewing them, and the mails become due for the other nodes when the leases expire. Delivery is at
 * least once: a mail can be processed twice only when a node dies (or stalls longer than the lease) after
 * processing and before marking it done. See docs/queue-cassandra.md.
 */
public final class CassandraMailQueue implements ManageableMailQueue {

    private static final Logger LOGGER = LoggerFactory.getLogger(CassandraMailQueue.class);
    private static final Duration HEAD_REFRESH = Duration.ofSeconds(10);
    private static final int SCAN_LIMIT = 500;

    private final MailQueueName name;
    private final String key;
    private final QueueStore store;
    private final MailCodec codec;
    private final QueueSettings settings;
    private final Clock clock;
    private final String owner;
    private final MailQueueItemDecoratorFactory decorators;
    private final Map<UUID, QueuedRow> inFlight = new ConcurrentHashMap<>();
    private final List<Poller> pollers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile Instant head = Instant.EPOCH;
    private volatile Instant headReadAt = Instant.MIN;

    CassandraMailQueue(MailQueueName name, QueueStore store, MailCodec codec, QueueSettings settings, Clock clock,
                       String owner, MailQueueItemDecoratorFactory decorators) {
        this.name = name;
        this.key = name.asString();
        this.store = store;
        this.codec = codec;
        this.settings = settings;
        this.clock = clock;
        this.owner = owner;
        this.decorators = decorators;
    }

    @Override
    public MailQueueName getName() {
        return name;
    }

    @Override
    public void enQueue(Mail mail, Duration delay) throws MailQueueException {
        try {
            enqueue(mail, delay).block();
        } catch (RuntimeException e) {
            throw new MailQueueException("Could not enqueue mail " + mail.getName() + " in " + key, e);
        }
    }

    @Override
    public void enQueue(Mail mail) throws MailQueueException {
        enQueue(mail, Duration.ZERO);
    }

    @Override
    public Publisher<Void> enqueueReactive(Mail mail) {
        return enqueue(mail, Duration.ZERO);
    }

    private Mono<Void> enqueue(Mail mail, Duration delay) {
        return Mono.fromCallable(() -> new Serialised(codec.metadata(mail), codec.content(mail)))
            .subscribeOn(Schedulers.boundedElastic())
            .flatMap(serialised -> {
                Instant now = clock.instant();
                Instant due = delay.isNegative() || delay.isZero() ? now : now.plus(delay);
                QueuedRow row = new QueuedRow(sliceOf(due), due, Uuids.timeBased(), serialised.metadata(), UUID.randomUUID(),
                    serialised.content().length, 0, now);
                // Blob first and row last: a crash in between leaves an unreferenced blob, never a row without bytes.
                return store.writeBlob(row.blobId(), serialised.content(), settings.chunkSize())
                    .then(store.addSlice(key, row.slice()))
                    .then(store.insertMail(key, row));
            })
            .doOnSuccess(any -> wakePollers());
    }

    private record Serialised(String metadata, byte[] content) {
    }

    @Override
    public Publisher<MailQueueItem> deQueue() {
        return Flux.<MailQueueItem>create(sink -> {
                Poller poller = new Poller(sink);
                pollers.add(poller);
                sink.onRequest(any -> poller.wake());
                sink.onDispose(() -> {
                    poller.stop();
                    pollers.remove(poller);
                });
                poller.start();
            }, FluxSink.OverflowStrategy.BUFFER)
            .map(item -> decorators.decorate(item, name));
    }

    /** Renews the leases of the mails this node is processing; called by the factory every third of a lease. */
    void renewLeases() {
        inFlight.keySet().forEach(id -> {
            Boolean renewed = store.renewLease(key, id, owner, settings.lease())
                .onErrorResume(e -> {
                    LOGGER.warn("Could not renew the lease of mail {} in queue {}", id, key, e);
                    return Mono.just(true);
                })
                .block();
            if (!Boolean.TRUE.equals(renewed) && inFlight.containsKey(id)) {
                LOGGER.warn("Lost the lease of mail {} in queue {}: another node may process it too", id, key);
            }
        });
    }

    private void wakePollers() {
        pollers.forEach(Poller::wake);
    }

    /** One dequeuing subscriber: takes leases only for as many mails as its subscriber has asked for. */
    private final class Poller implements Runnable {
        private final FluxSink<MailQueueItem> sink;
        private final Object signal = new Object();
        private final Thread thread;
        private volatile boolean stopped;
        private boolean woken;

        Poller(FluxSink<MailQueueItem> sink) {
            this.sink = sink;
            this.thread = new Thread(this, "cassandra-queue-" + key);
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        void stop() {
            stopped = true;
            wake();
        }

        void wake() {
            synchronized (signal) {
                woken = true;
                signal.notifyAll();
            }
        }

        @Override
        public void run() {
            long idle = settings.pollMin().toMillis();
            while (!stopped) {
                long demand = sink.requestedFromDownstream();
                if (demand <= 0) {
                    pause(settings.pollMax().toMillis());
                    continue;
                }
                int claimed;
                try {
                    claimed = claimDue((int) Math.min(demand, 64), sink);
                } catch (RuntimeException e) {
                    LOGGER.warn("Could not poll queue {} in Cassandra; retrying", key, e);
                    claimed = 0;
                    idle = settings.pollMax().toMillis();
                }
                if (claimed > 0) {
                    idle = settings.pollMin().toMillis();
                } else {
                    pause(idle);
                    idle = Math.min(idle * 2, settings.pollMax().toMillis());
                }
            }
        }

        private void pause(long millis) {
            synchronized (signal) {
                if (!woken && !stopped) {
                    try {
                        signal.wait(millis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        stopped = true;
                    }
                }
                woken = false;
            }
        }
    }

    private int claimDue(int wanted, FluxSink<MailQueueItem> sink) {
        Instant now = clock.instant();
        boolean forgotSlice = false;
        int claimed = 0;
        for (Instant slice : store.slices(key, currentHead(now), sliceOf(now)).collectList().block()) {
            List<QueuedRow> due = store.dueMails(key, slice, now, SCAN_LIMIT + inFlight.size()).collectList().block();
            if (due.isEmpty() && isForgettable(slice, now)) {
                store.deleteSlice(key, slice).block();
                forgotSlice = true;
                continue;
            }
            for (QueuedRow row : due) {
                if (claimed >= wanted || sink.isCancelled()) {
                    return claimed;
                }
                if (inFlight.containsKey(row.id())) {
                    continue;
                }
                Optional<MailQueueItem> item = claim(row);
                if (item.isPresent()) {
                    claimed++;
                    sink.next(item.get());
                }
            }
        }
        if (forgotSlice) {
            advanceHead(now);
        }
        return claimed;
    }

    /** A slice that ended more than the grace period ago receives no more mail; once empty it can be forgotten. */
    private boolean isForgettable(Instant slice, Instant now) {
        return slice.plus(settings.sliceLength()).plus(settings.grace()).isBefore(now);
    }

    private Optional<MailQueueItem> claim(QueuedRow row) {
        try {
            return tryToClaim(row);
        } catch (RuntimeException e) {
            // A lease whose outcome is unknown (a timeout) simply runs out: the mail is only late, never lost.
            LOGGER.warn("Could not take mail {} of queue {}; a later poll will", row.id(), key, e);
            return Optional.empty();
        }
    }

    private Optional<MailQueueItem> tryToClaim(QueuedRow row) {
        Optional<QueueStore.Lease> lease = store.lease(key, row.id()).block();
        if (lease.isPresent()) {
            if (lease.get().done()) {
                // Finished by a node that died before deleting it: finish the clean-up in its place.
                cleanUp(row, lease.get().releaseBlob());
            }
            return Optional.empty();
        }
        if (!Boolean.TRUE.equals(store.takeLease(key, row.id(), owner, settings.lease()).block())) {
            return Optional.empty();
        }
        inFlight.put(row.id(), row);
        try {
            // The row may have been finished and deleted by another node between our read and our lease.
            if (!Boolean.TRUE.equals(store.exists(key, row).block())) {
                release(row);
                return Optional.empty();
            }
            Mail mail = codec.mail(row.metadata(), store.readBlob(row.blobId()).block());
            return Optional.of(new Item(row, mail));
        } catch (MessagingException | RuntimeException e) {
            LOGGER.error("Could not read mail {} of queue {}; leaving it for a later attempt", row.id(), key, e);
            release(row);
            return Optional.empty();
        }
    }

    private void release(QueuedRow row) {
        try {
            store.releaseLease(key, row.id(), owner).block();
        } finally {
            inFlight.remove(row.id());
        }
    }

    private final class Item implements MailQueueItem {
        private final QueuedRow row;
        private final Mail mail;

        Item(QueuedRow row, Mail mail) {
            this.row = row;
            this.mail = mail;
        }

        @Override
        public Mail getMail() {
            return mail;
        }

        @Override
        public void done(CompletionStatus status) throws MailQueueException {
            try {
                if (status == CompletionStatus.RETRY) {
                    int attempt = row.attempt() + 1;
                    Instant now = clock.instant();
                    Instant due = now.plus(settings.retryDelayFor(attempt));
                    QueuedRow retry = new QueuedRow(sliceOf(due), due, Uuids.timeBased(), row.metadata(), row.blobId(),
                        row.size(), attempt, row.enqueued());
                    // The new row exists before the old one goes: a crash in between duplicates, never loses.
                    store.addSlice(key, retry.slice()).then(store.insertMail(key, retry)).block();
                    finish(row, false);
                    wakePollers();
                } else {
                    finish(row, true);
                }
            } catch (RuntimeException e) {
                throw new MailQueueException("Could not complete mail " + mail.getName() + " of queue " + key, e);
            } finally {
                inFlight.remove(row.id());
            }
        }
    }

    private void finish(QueuedRow row, boolean deleteBlob) {
        if (!Boolean.TRUE.equals(store.markDone(key, row.id(), owner, deleteBlob).block())) {
            LOGGER.warn("Mail {} of queue {} was processed after its lease ran out; another node may process it again",
                row.id(), key);
            return;
        }
        cleanUp(row, deleteBlob);
    }

    /** After the done marker: the row goes, and the bytes unless a retry row still points at them. */
    private void cleanUp(QueuedRow row, boolean deleteBlob) {
        store.deleteMail(key, row).block();
        if (deleteBlob) {
            store.deleteBlob(row.blobId()).block();
        }
    }

    private Instant currentHead(Instant now) {
        if (headReadAt.plus(HEAD_REFRESH).isBefore(now)) {
            head = store.head(key).block().orElse(Instant.EPOCH);
            headReadAt = now;
        }
        return head;
    }

    /**
     * Moves the head to the oldest slice still listed, but never past the grace period: a node whose clock is behind
     * may still be writing into a slice that looks old to us.
     */
    private void advanceHead(Instant now) {
        Instant limit = sliceOf(now.minus(settings.grace()));
        Instant oldest = store.slicesFrom(key, head).next().blockOptional().orElse(limit);
        Instant newHead = oldest.isBefore(limit) ? oldest : limit;
        if (newHead.isAfter(head)) {
            store.writeHead(key, newHead).block();
            head = newHead;
        }
    }

    Instant sliceOf(Instant instant) {
        long length = settings.sliceLength().toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(instant.toEpochMilli(), length) * length);
    }

    // Management: browse, size, flush, remove, clear. They read every slice from the head on, future ones included.

    private List<QueuedRow> allRows() {
        Instant now = clock.instant();
        return store.slicesFrom(key, currentHead(now))
            .concatMap(slice -> store.mails(key, slice))
            .collectList()
            .block();
    }

    @Override
    public long getSize() {
        return allRows().size();
    }

    @Override
    public MailQueueIterator browse() {
        Iterator<QueuedRow> rows = allRows().iterator();
        return new MailQueueIterator() {
            private MailQueueItemView next;

            @Override
            public boolean hasNext() {
                while (next == null && rows.hasNext()) {
                    next = view(rows.next()).orElse(null);
                }
                return next != null;
            }

            @Override
            public MailQueueItemView next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                MailQueueItemView view = next;
                next = null;
                return view;
            }

            @Override
            public void close() {
            }
        };
    }

    /** A mail deleted since the listing (its bytes are gone) is skipped rather than shown empty. */
    private Optional<MailQueueItemView> view(QueuedRow row) {
        byte[] content = store.readBlob(row.blobId()).block();
        if (content.length == 0 && row.size() > 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(new DefaultMailQueueItemView(codec.mail(row.metadata(), content),
                ZonedDateTime.ofInstant(row.due(), ZoneOffset.UTC)));
        } catch (MessagingException e) {
            LOGGER.warn("Unreadable mail {} in queue {}", row.id(), key, e);
            return Optional.empty();
        }
    }

    @Override
    public long flush() {
        Instant now = clock.instant();
        long flushed = 0;
        for (QueuedRow row : allRows()) {
            if (!row.due().isAfter(now) || !takeForManagement(row)) {
                continue;
            }
            // Same id, due now: the order among flushed mails stays their enqueue order.
            QueuedRow dueNow = new QueuedRow(sliceOf(now), now, row.id(), row.metadata(), row.blobId(), row.size(),
                row.attempt(), row.enqueued());
            store.addSlice(key, dueNow.slice()).then(store.insertMail(key, dueNow)).then(store.deleteMail(key, row)).block();
            release(row);
            flushed++;
        }
        wakePollers();
        return flushed;
    }

    @Override
    public long clear() {
        return removeWhere(metadata -> true);
    }

    @Override
    public long remove(Type type, String value) {
        return removeWhere(metadata -> codec.matches(metadata, type, value));
    }

    private long removeWhere(Predicate<String> metadataMatches) {
        long removed = 0;
        for (QueuedRow row : allRows()) {
            if (metadataMatches.test(row.metadata()) && takeForManagement(row)) {
                finish(row, true);
                inFlight.remove(row.id());
                removed++;
            }
        }
        return removed;
    }

    /** Management acts only on mails no node is processing, under a lease like any consumer. */
    private boolean takeForManagement(QueuedRow row) {
        if (Boolean.TRUE.equals(store.takeLease(key, row.id(), owner, settings.lease()).block())) {
            inFlight.put(row.id(), row);
            if (Boolean.TRUE.equals(store.exists(key, row).block())) {
                return true;
            }
            release(row);
        }
        return false;
    }

    /**
     * Nothing to release: the factory hands out one shared instance per queue, and callers such as WebAdmin close
     * what they looked up. Consumers stop by cancelling their subscription; the factory stops the rest at shutdown.
     */
    @Override
    public void close() {
    }

    void stopConsumers() {
        pollers.forEach(Poller::stop);
    }
}
