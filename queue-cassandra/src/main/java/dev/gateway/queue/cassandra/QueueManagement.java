package dev.gateway.queue.cassandra;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

import javax.mail.MessagingException;

import org.apache.james.queue.api.ManageableMailQueue.DefaultMailQueueItemView;
import org.apache.james.queue.api.ManageableMailQueue.MailQueueItemView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * Operators' view of a queue (WebAdmin {@code /mailQueues}): size, browse, flush, remove and clear read every shard
 * from its head on, future slices (delayed mail) included, whoever owns the shard. Fine for an operator's request,
 * not for a hot path. They take no lease: a mail a node is processing right now still counts and may still be
 * delivered after it was removed, and so may a small mail that another node wrote and holds in memory, bytes
 * included, for its own poller (this node marks what it removes finished, so its own pollers skip it).
 */
final class QueueManagement {

    private static final Logger LOGGER = LoggerFactory.getLogger(QueueManagement.class);

    private final String queue;
    private final QueueStore store;
    private final QueueShards shards;
    private final Enqueuer enqueuer;
    private final MailCodec codec;
    private final QueueSettings settings;
    private final Clock clock;

    QueueManagement(String queue, QueueStore store, QueueShards shards, Enqueuer enqueuer, MailCodec codec,
                    QueueSettings settings, Clock clock) {
        this.queue = queue;
        this.store = store;
        this.shards = shards;
        this.enqueuer = enqueuer;
        this.codec = codec;
        this.settings = settings;
        this.clock = clock;
    }

    /** Every queued mail's row, in queue order. */
    List<QueuedRow> rows() {
        return store.queuedRows(queue, settings.shards())
            .sort(QueuedRow.ORDER)
            .collectList()
            .block();
    }

    /** A mail deleted since the listing (its bytes are gone) is skipped rather than shown empty. */
    Optional<MailQueueItemView> view(QueuedRow row) {
        byte[] content = store.bytesOf(queue, row).block();
        if (row.bytesGone(content)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new DefaultMailQueueItemView(codec.mail(row.metadata(), content),
                ZonedDateTime.ofInstant(row.due(), ZoneOffset.UTC)));
        } catch (MessagingException e) {
            LOGGER.warn("Unreadable mail {} in queue {}", row.id(), queue, e);
            return Optional.empty();
        }
    }

    /** Makes delayed mail due now, keeping each mail's id so that flushed mail keeps its order. */
    long flush() {
        Instant now = clock.instant();
        long flushed = 0;
        for (QueuedRow row : rows()) {
            if (row.due().isAfter(now)) {
                byte[] content = row.bytesInRow() ? store.bytesOf(queue, row).block() : null;
                if (row.bytesInRow() && row.bytesGone(content)) {
                    continue; // deleted since the listing
                }
                QueuedRow dueNow = row.withContent(content).movedTo(row.shard(), settings.sliceOf(now), now, row.id(),
                    row.attempt());
                enqueuer.rewrite(dueNow).then(store.deleteMail(queue, row)).block();
                flushed++;
            }
        }
        return flushed;
    }

    long removeWhere(Predicate<String> metadataMatches) {
        long removed = 0;
        for (QueuedRow row : rows()) {
            if (metadataMatches.test(row.metadata())) {
                // This node's pollers may hold the row, bytes included, read ahead or handed over in memory: as
                // finished, they skip it.
                shards.finished(row.id());
                store.deleteMailAndBytes(queue, row).block();
                removed++;
            }
        }
        return removed;
    }
}
