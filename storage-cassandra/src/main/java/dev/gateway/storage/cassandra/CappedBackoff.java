package dev.gateway.storage.cassandra;

import java.time.Duration;
import java.util.NoSuchElementException;

import org.apache.james.backends.cassandra.init.configuration.CassandraConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.base.Throwables;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;
import reactor.util.retry.RetryBackoffSpec;

/**
 * How a mailbox's next UID and mod-sequence are retried: as often as James would ({@code uid.max.retry},
 * {@code modseq.max.retry} in cassandra.properties), from {@link #FIRST} doubling, but never more than {@link #MAX}
 * apart.
 *
 * <p>James 3.8.1 retries these lightweight transactions with {@code Retry.backoff(100000, 10 ms)} and no cap on the
 * backoff, on every error, without a log line. An append running when Cassandra goes down keeps failing, so its
 * wait doubles: after 40 s of outage it sleeps the next 20 to 60 s whatever Cassandra does, and the mail reaches the
 * mailbox a minute or more after Cassandra is back (docs/queue-cassandra.md, "Late, not lost"). Capped, it is
 * stored within {@link #MAX} of Cassandra answering again.
 */
final class CappedBackoff {

    private static final Logger LOGGER = LoggerFactory.getLogger(CappedBackoff.class);
    static final Duration FIRST = Duration.ofMillis(10);
    static final Duration MAX = Duration.ofSeconds(1);
    /** About 4 s of failures in a row. */
    private static final long RETRIES_BEFORE_WARNING = 10;

    private final RetryBackoffSpec lostRaces;
    private final RetryBackoffSpec outages;

    private CappedBackoff(String allocation, long attempts, Scheduler scheduler) {
        this.lostRaces = Retry.backoff(attempts, FIRST).maxBackoff(MAX).scheduler(scheduler)
            .filter(CappedBackoff::lostRace);
        this.outages = Retry.backoff(attempts, FIRST).maxBackoff(MAX).scheduler(scheduler)
            .filter(failure -> !lostRace(failure))
            .doBeforeRetry(signal -> {
                // James retries silently; an append stuck through an outage should say why, once.
                if (signal.totalRetriesInARow() == RETRIES_BEFORE_WARNING) {
                    LOGGER.warn("A mailbox's next {} has failed {} times in a row; retrying every {} until Cassandra answers: {}",
                        allocation, signal.totalRetriesInARow() + 1, MAX, Throwables.getRootCause(signal.failure()).toString());
                }
            });
    }

    /** A lost lightweight transaction: {@link MailboxSequences} fails with this once other allocations won all its attempts. */
    private static boolean lostRace(Throwable failure) {
        return Throwables.getCausalChain(failure).stream().anyMatch(NoSuchElementException.class::isInstance);
    }

    /** Retries of the allocation named {@code allocation} ("UID", "MODSEQ", "UID and MODSEQ"), {@code attempts} at most. */
    static CappedBackoff of(String allocation, long attempts) {
        return new CappedBackoff(allocation, attempts, Schedulers.parallel());
    }

    /** With the waits run on {@code scheduler}: for tests that record them instead of waiting. */
    static CappedBackoff of(String allocation, long attempts, Scheduler scheduler) {
        return new CappedBackoff(allocation, attempts, scheduler);
    }

    /**
     * Lost races (another append took the UID first: Cassandra answered) and errors (Cassandra did not) are retried
     * apart, so that the appends an outage held back, all at the longest wait when Cassandra comes back, race for
     * the mailbox's UID from the shortest wait again instead of one winner a second.
     */
    <T> Mono<T> retry(Mono<T> allocation) {
        return allocation.retryWhen(lostRaces).retryWhen(outages);
    }

    /**
     * The configuration James's own provider gets, reading the counters for ours: a single quick retry of its own
     * (the smallest James accepts), the rest done here.
     */
    static CassandraConfiguration withOneRetry(CassandraConfiguration configuration) {
        return CassandraConfiguration.builder()
            .uidMaxRetry(1)
            .modSeqMaxRetry(1)
            .uidReadStrongConsistency(java.util.Optional.of(configuration.isUidReadStrongConsistency()))
            .build();
    }
}
