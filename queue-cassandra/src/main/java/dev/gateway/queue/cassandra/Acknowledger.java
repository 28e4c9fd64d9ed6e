package dev.gateway.queue.cassandra;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

import org.apache.james.queue.api.MailQueue.MailQueueItem.CompletionStatus;

import com.datastax.oss.driver.api.core.uuid.Uuids;

import reactor.core.publisher.Mono;

/**
 * Finishes a mail James is done with, with plain writes only: a success (or reject) deletes the row and its bytes;
 * a retry writes the mail again, due after the retry delay and keeping its bytes, before the old row goes (a crash
 * in between duplicates, never loses).
 */
final class Acknowledger {

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
            if (status == CompletionStatus.RETRY) {
                int attempt = row.attempt() + 1;
                Instant due = clock.instant().plus(settings.retryDelayFor(attempt));
                QueuedRow retry = row.movedTo(row.shard(), settings.sliceOf(due), due, Uuids.timeBased(), attempt);
                enqueuer.rewrite(retry).then(store.deleteMail(queue, row)).block();
                return Optional.of(retry);
            }
            Mono.when(store.deleteMail(queue, row), store.deleteBlob(row.blobId())).block();
            return Optional.empty();
        } finally {
            shards.inFlight().remove(row.id());
        }
    }
}
