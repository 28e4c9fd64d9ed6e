package dev.gateway.queue.cassandra;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

import org.apache.james.queue.api.MailQueue.MailQueueItem.CompletionStatus;

import com.datastax.oss.driver.api.core.uuid.Uuids;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes a mail James is done with, with plain writes only: a success deletes the row, then its chunks if it has
 * any ({@link QueueStore#deleteMailAndBytes}); a retry writes the mail again, due after the retry delay and keeping its
 * bytes, before the old row goes (a crash in between duplicates, never loses).
 *
 * <p>A reject is kept and retried like a retry, never dropped. James's spooler rejects a mail only when its
 * processing failed and so did its error handling (storing it in the error repository, queueing it again): a
 * storage outage, not a verdict on the mail. Dropping it then would lose mail answered 250 whenever the delete
 * reached Cassandra but the writes before it had not (a timeout, a node coming back).
 */
final class Acknowledger {

    private static final Logger LOGGER = LoggerFactory.getLogger(Acknowledger.class);

    private final String queue;
    private final QueueStore store;
    private final Enqueuer enqueuer;
    private final QueueShards shards;
    private final QueueSettings settings;
    private final Clock clock;

    Acknowledger(String queue, QueueStore store, Enqueuer enqueuer, QueueShards shards, QueueSettings settings, Clock clock) {
        this.queue = queue;
        this.store = store;
        this.enqueuer = enqueuer;
        this.shards = shards;
        this.settings = settings;
        this.clock = clock;
    }

    /** Finishes the mail; for a retry, the new row written. */
    Optional<QueuedRow> done(QueuedRow row, CompletionStatus status) {
        shards.finished(row.id());
        try {
            if (status != CompletionStatus.SUCCESS) {
                if (status == CompletionStatus.REJECT) {
                    LOGGER.warn("Mail {} of queue {} could neither be processed nor parked (rejected by James's spooler): kept,"
                        + " and tried again after the retry delay", row.id(), queue);
                }
                int attempt = row.attempt() + 1;
                Instant due = clock.instant().plus(settings.retryDelayFor(attempt));
                QueuedRow retry = row.movedTo(row.shard(), settings.sliceOf(due), due, Uuids.timeBased(), attempt);
                enqueuer.rewrite(retry).then(store.deleteMail(queue, row)).block();
                return Optional.of(retry);
            }
            store.deleteMailAndBytes(queue, row).block();
            return Optional.empty();
        } finally {
            shards.inFlight().remove(row.id());
        }
    }
}
