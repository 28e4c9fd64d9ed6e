package dev.gateway.queue.memory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import javax.mail.MessagingException;

import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.mailet.Mail;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A mail queue in the JVM's heap, lost when the process stops: the queue of the {@code memory} profile. Mails are
 * kept as {@link MailSnapshot}s (one copy of the message each), due in order of their delivery time and, at equal
 * times, of their enqueue; a dequeued mail stays counted in {@link #getSize()} until its item is done.
 *
 * <p>Differences from James's {@code MemoryMailQueueFactory} besides the copies: equal due times keep FIFO order,
 * delays of centuries do not overflow the ordering, and {@link #close()} leaves the queue working, since the
 * factory's callers (WebAdmin among them) close queues they only looked up.
 */
public final class HeapMailQueue implements ManageableMailQueue {

    private static final Logger LOGGER = LoggerFactory.getLogger(HeapMailQueue.class);
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofMinutes(1);
    /** Due times are capped here: a delay of centuries still has a delay in milliseconds and a date to browse. */
    private static final Instant NEVER = Instant.ofEpochMilli(Long.MAX_VALUE);

    private final MailQueueName name;
    private final Clock clock;
    private final DelayQueue<Entry> waiting = new DelayQueue<>();
    private final Set<Entry> processing = ConcurrentHashMap.newKeySet();
    private final AtomicLong sequence = new AtomicLong();
    private final Scheduler taker;
    private final Flux<MailQueueItem> items;

    HeapMailQueue(MailQueueName name, Clock clock, MailQueueItemDecoratorFactory decorators) {
        this.name = name;
        this.clock = clock;
        this.taker = Schedulers.newSingle("heap-mail-queue-" + name.asString(), true);
        // One thread blocks on the delay queue and hands each due mail downstream as it is requested.
        this.items = Mono.fromCallable(this::takeDue)
            .repeat()
            .subscribeOn(taker)
            .concatMap(this::item)
            .<MailQueueItem>map(item -> decorators.decorate(item, name))
            .publish()
            .refCount();
    }

    /** The next due entry; none when the wait is interrupted (the last subscriber went, or the server stops). */
    private Entry takeDue() {
        try {
            return waiting.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private Mono<MailQueueItem> item(Entry entry) {
        try {
            return Mono.just(new Item(entry, entry.snapshot.toMail()));
        } catch (MessagingException | RuntimeException e) {
            // Only the envelope is copied here, so this is not expected; the mail waits rather than vanish.
            LOGGER.error("Could not hand out mail {} of queue {}; retrying in {}", entry.snapshot.name(), name.asString(),
                RETRY_AFTER_FAILURE, e);
            waiting.put(new Entry(entry.snapshot, clock.instant().plus(RETRY_AFTER_FAILURE), entry.sequence));
            return Mono.empty();
        }
    }

    @Override
    public MailQueueName getName() {
        return name;
    }

    @Override
    public void enQueue(Mail mail, Duration delay) throws MailQueueException {
        Instant due = dueAfter(delay);
        try {
            waiting.put(new Entry(MailSnapshot.of(mail), due, sequence.incrementAndGet()));
        } catch (MessagingException e) {
            throw new MailQueueException("Could not copy mail " + mail.getName() + " into queue " + name.asString(), e);
        }
    }

    @Override
    public void enQueue(Mail mail) throws MailQueueException {
        enQueue(mail, Duration.ZERO);
    }

    @Override
    public Publisher<Void> enqueueReactive(Mail mail) {
        return Mono.fromCallable(() -> {
            enQueue(mail);
            return true;
        }).then();
    }

    @Override
    public Publisher<MailQueueItem> deQueue() {
        return items;
    }

    private Instant dueAfter(Duration delay) {
        Instant now = clock.instant();
        if (delay.isNegative() || delay.isZero()) {
            return now;
        }
        try {
            Instant due = now.plus(delay);
            return due.isAfter(NEVER) ? NEVER : due;
        } catch (ArithmeticException | java.time.DateTimeException e) {
            return NEVER;
        }
    }

    @Override
    public long getSize() {
        return waiting.size() + processing.size();
    }

    /** Makes every delayed mail due now, keeping their order; returns how many were delayed. */
    @Override
    public long flush() {
        Instant now = clock.instant();
        long flushed = 0;
        for (Entry entry : waiting) {
            if (entry.due.isAfter(now) && waiting.remove(entry)) {
                waiting.put(new Entry(entry.snapshot, now, entry.sequence));
                flushed++;
            }
        }
        return flushed;
    }

    @Override
    public long clear() {
        return removeWhere(mail -> true);
    }

    @Override
    public long remove(Type type, String value) {
        Predicate<Mail> matches = switch (type) {
            case Name -> mail -> mail.getName().equals(value);
            case Sender -> mail -> mail.getMaybeSender().asString().equals(value);
            case Recipient -> mail -> mail.getRecipients().stream().anyMatch(recipient -> recipient.asString().equals(value));
        };
        return removeWhere(matches);
    }

    /** Removes the waiting mails whose envelope matches; mail being processed stays. */
    private long removeWhere(Predicate<Mail> matches) {
        long removed = 0;
        for (Entry entry : waiting) {
            if (matches.test(entry.snapshot.envelope()) && waiting.remove(entry)) {
                removed++;
            }
        }
        return removed;
    }

    @Override
    public MailQueueIterator browse() throws MailQueueException {
        List<Entry> entries = new ArrayList<>(waiting);
        entries.sort(null);
        List<MailQueueItemView> views = new ArrayList<>(entries.size());
        for (Entry entry : entries) {
            try {
                views.add(new DefaultMailQueueItemView(entry.snapshot.toMail(), entry.due.atZone(ZoneOffset.UTC)));
            } catch (MessagingException e) {
                throw new MailQueueException("Could not read mail " + entry.snapshot.name() + " of queue " + name.asString(), e);
            }
        }
        Iterator<MailQueueItemView> iterator = views.iterator();
        return new MailQueueIterator() {
            @Override
            public void close() {
                // a copy: nothing to release
            }

            @Override
            public boolean hasNext() {
                return iterator.hasNext();
            }

            @Override
            public MailQueueItemView next() {
                return iterator.next();
            }
        };
    }

    /** Callers close queues they merely looked up; the queue lives as long as the server. */
    @Override
    public void close() {
    }

    /** Stops handing out mail; called by the factory when the server stops. */
    void dispose() {
        taker.dispose();
    }

    private final class Entry implements Delayed {
        private final MailSnapshot snapshot;
        private final Instant due;
        private final long sequence;

        Entry(MailSnapshot snapshot, Instant due, long sequence) {
            this.snapshot = snapshot;
            this.due = due;
            this.sequence = sequence;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            long millis = Duration.between(clock.instant(), due).toMillis();
            return unit.convert(millis, TimeUnit.MILLISECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            Entry that = (Entry) other;
            int byDue = due.compareTo(that.due);
            return byDue != 0 ? byDue : Long.compare(sequence, that.sequence);
        }
    }

    private final class Item implements MailQueueItem {
        private final Entry entry;
        private final Mail mail;

        Item(Entry entry, Mail mail) {
            this.entry = entry;
            this.mail = mail;
            processing.add(entry);
        }

        @Override
        public Mail getMail() {
            return mail;
        }

        @Override
        public void done(CompletionStatus status) throws MailQueueException {
            try {
                if (status == CompletionStatus.RETRY) {
                    // The mail as processing left it, like James's queues: mailets may have changed it for the retry.
                    enQueue(mail);
                }
            } finally {
                processing.remove(entry);
            }
        }
    }
}
