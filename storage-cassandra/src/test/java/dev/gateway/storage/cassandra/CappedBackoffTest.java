package dev.gateway.storage.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.cassandra.ids.CassandraId;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.UidProvider;
import org.junit.jupiter.api.Test;

import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;

/**
 * The waits between attempts at a mailbox's next UID while Cassandra is down (the {@link CappedBackoff} that
 * {@link CounterUidProvider} retries its allocations with), recorded instead of slept (a scheduler
 * that runs each delayed task at once and notes its delay): no clock is involved. The outage is injected: the
 * allocation fails a given number of times, as James's does with "No node was available" while Cassandra is down.
 */
class CappedBackoffTest {

    private static final MailboxId INBOX = CassandraId.timeBased();
    private static final int OUTAGE = 40;

    @Test
    void anAllocationCaughtByAnOutageIsRetriedAtMostOneCapApart() throws Exception {
        RecordingScheduler waits = new RecordingScheduler();
        FailingUids james = new FailingUids(OUTAGE);
        CappedBackoff backoff = CappedBackoff.of("UID", 100_000, waits);

        assertThat(backoff.retry(james.nextUidReactive(INBOX)).block()).isEqualTo(MessageUid.of(OUTAGE + 1));
        assertThat(james.calls).hasValue(OUTAGE + 1);
        assertThat(waits.delays).hasSize(OUTAGE).allSatisfy(delay -> assertThat(delay).isLessThanOrEqualTo(CappedBackoff.MAX));
    }

    /** The cause, shown on James's own retry spec (CassandraUidProvider): its waits keep doubling through the outage. */
    @Test
    void jamesOwnRetryWaitsLongerAndLongerThroughAnOutage() {
        RecordingScheduler waits = new RecordingScheduler();
        FailingUids james = new FailingUids(OUTAGE);

        james.nextUidReactive(INBOX).retryWhen(Retry.backoff(100_000, Duration.ofMillis(10)).scheduler(waits)).block();

        assertThat(waits.delays).hasSize(OUTAGE);
        assertThat(waits.delays.get(13)).isGreaterThan(Duration.ofSeconds(30));
    }

    /** The appends an outage held back all race for the same mailbox's UID once Cassandra is back. */
    @Test
    void lostRacesAfterAnOutageAreRetriedFromTheShortestWaitAgain() throws Exception {
        RecordingScheduler waits = new RecordingScheduler();
        FailingUids james = new FailingUids(OUTAGE, 3);
        CappedBackoff backoff = CappedBackoff.of("UID", 100_000, waits);

        assertThat(backoff.retry(james.nextUidReactive(INBOX)).block()).isEqualTo(MessageUid.of(OUTAGE + 3 + 1));
        assertThat(waits.delays).hasSize(OUTAGE + 3);
        assertThat(waits.delays.subList(OUTAGE - 5, OUTAGE)).as("outage, at the cap")
            .allSatisfy(delay -> assertThat(delay).isGreaterThanOrEqualTo(CappedBackoff.MAX.dividedBy(2)));
        assertThat(waits.delays.subList(OUTAGE, OUTAGE + 3)).as("lost races once Cassandra answers")
            .allSatisfy(delay -> assertThat(delay).isLessThan(Duration.ofMillis(100)));
    }

    @Test
    void theAttemptsConfiguredForJamesStillBoundTheRetries() {
        FailingUids james = new FailingUids(Integer.MAX_VALUE);
        CappedBackoff backoff = CappedBackoff.of("UID", 5, new RecordingScheduler());

        assertThatThrownBy(() -> backoff.retry(james.nextUidReactive(INBOX)).block())
            .hasMessageContaining("Retries exhausted: 5/5");
        assertThat(james.calls).hasValue(6);
    }

    /**
     * James's provider as an outage shows it: fails {@code failures} times ("No node was available"), then loses
     * {@code lostRaces} races (James's {@code single()} on an empty result, after its own one retry), then allocates.
     */
    private static final class FailingUids implements UidProvider {
        private final int failures;
        private final int lostRaces;
        private final AtomicInteger calls = new AtomicInteger();

        FailingUids(int failures) {
            this(failures, 0);
        }

        FailingUids(int failures, int lostRaces) {
            this.failures = failures;
            this.lostRaces = lostRaces;
        }

        @Override
        public Mono<MessageUid> nextUidReactive(MailboxId mailboxId) {
            return Mono.defer(() -> {
                int call = calls.incrementAndGet();
                if (call <= failures) {
                    return Mono.error(new IllegalStateException("No node was available to execute the query"));
                }
                if (call <= failures + lostRaces) {
                    return Mono.error(reactor.core.Exceptions.retryExhausted("Retries exhausted: 1/1",
                        new java.util.NoSuchElementException("Source was empty")));
                }
                return Mono.just(MessageUid.of(call));
            });
        }

        @Override
        public MessageUid nextUid(Mailbox mailbox) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<MessageUid> lastUid(Mailbox mailbox) {
            throw new UnsupportedOperationException();
        }

        @Override
        public MessageUid nextUid(MailboxId mailboxId) {
            throw new UnsupportedOperationException();
        }
    }

    /** Runs every task at once, noting the delay it was scheduled with. */
    private static final class RecordingScheduler implements Scheduler {
        private final List<Duration> delays = new CopyOnWriteArrayList<>();

        @Override
        public Disposable schedule(Runnable task) {
            task.run();
            return Disposables.disposed();
        }

        @Override
        public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
            delays.add(Duration.ofNanos(unit.toNanos(delay)));
            task.run();
            return Disposables.disposed();
        }

        @Override
        public Worker createWorker() {
            RecordingScheduler scheduler = this;
            return new Worker() {
                @Override
                public Disposable schedule(Runnable task) {
                    return scheduler.schedule(task);
                }

                @Override
                public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
                    return scheduler.schedule(task, delay, unit);
                }

                @Override
                public void dispose() {
                }
            };
        }
    }
}
