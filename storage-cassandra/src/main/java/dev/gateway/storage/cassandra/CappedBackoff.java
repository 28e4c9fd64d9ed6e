package dev.gateway.storage.cassandra;

import java.time.Duration;

import org.apache.james.backends.cassandra.init.configuration.CassandraConfiguration;

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

    static final Duration FIRST = Duration.ofMillis(10);
    static final Duration MAX = Duration.ofSeconds(1);

    private final RetryBackoffSpec spec;

    private CappedBackoff(long attempts, Scheduler scheduler) {
        this.spec = Retry.backoff(attempts, FIRST).maxBackoff(MAX).scheduler(scheduler);
    }

    static CappedBackoff of(long attempts) {
        return new CappedBackoff(attempts, Schedulers.parallel());
    }

    /** With the waits run on {@code scheduler}: for tests that record them instead of waiting. */
    static CappedBackoff of(long attempts, Scheduler scheduler) {
        return new CappedBackoff(attempts, scheduler);
    }

    <T> Mono<T> retry(Mono<T> allocation) {
        return allocation.retryWhen(spec);
    }

    /**
     * The configuration James's own provider gets once wrapped: a single quick retry of its own (the smallest James
     * accepts), the rest done here.
     */
    static CassandraConfiguration withOneRetry(CassandraConfiguration configuration) {
        return CassandraConfiguration.builder()
            .uidMaxRetry(1)
            .modSeqMaxRetry(1)
            .uidReadStrongConsistency(java.util.Optional.of(configuration.isUidReadStrongConsistency()))
            .build();
    }
}
