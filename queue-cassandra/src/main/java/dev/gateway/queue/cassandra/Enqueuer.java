package dev.gateway.queue.cassandra;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

import org.apache.mailet.Mail;

import com.datastax.oss.driver.api.core.uuid.Uuids;

import dev.gateway.queue.cassandra.QueueStore.StoredBytes;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Puts mail into a queue with plain writes only: the message bytes where {@link MailBytes} keeps them (unless the
 * mail is small enough to be kept in its row), the slice's index row (once per slice and node), then the mail row, in
 * a shard chosen at random so that every node's share of the shards gets mail.
 */
final class Enqueuer {

    private final String queue;
    private final QueueStore store;
    private final SliceIndex slices;
    private final MailCodec codec;
    private final QueueSettings settings;
    private final Clock clock;
    private final String node;

    Enqueuer(String queue, QueueStore store, SliceIndex slices, MailCodec codec, QueueSettings settings, Clock clock,
             String node) {
        this.queue = queue;
        this.store = store;
        this.slices = slices;
        this.codec = codec;
        this.settings = settings;
        this.clock = clock;
        this.node = node;
    }

    /**
     * Writes the mail; the row written, once it is in Cassandra. A mail due now whose row {@code claim} accepts is
     * written already marked taken by this node ({@link Dequeuer#claim}): a waiting worker of this node takes it at
     * once, and the mark, which only serves to count re-deliveries after a crash, costs no write of its own.
     */
    Mono<QueuedRow> enqueue(Mail mail, Duration delay, Predicate<QueuedRow> claim) {
        return Mono.fromCallable(() -> new Serialised(codec.metadata(mail), codec.content(mail)))
            .subscribeOn(Schedulers.boundedElastic())
            .flatMap(serialised -> {
                Instant now = clock.instant();
                boolean dueNow = delay.isNegative() || delay.isZero();
                Instant due = dueNow ? now : now.plus(delay);
                int shard = ThreadLocalRandom.current().nextInt(settings.shards());
                byte[] content = serialised.content();
                boolean inRow = content.length <= settings.inlineMax();
                Instant slice = settings.sliceOf(due);
                // Bytes and index before the row: a crash in between leaves unreferenced bytes, never a row without
                // bytes or in a slice nobody reads.
                Mono<StoredBytes> bytes = inRow ? Mono.just(StoredBytes.IN_ROW) : store.writeBytes(content);
                return Mono.zip(bytes, slices.register(shard, slice).thenReturn(slice))
                    .map(written -> {
                        QueuedRow unmarked = new QueuedRow(shard, slice, due, Uuids.timeBased(), serialised.metadata(),
                            written.getT1().blobId(), written.getT1().bytesRef(), inRow ? content : null,
                            content.length, 0, now, null);
                        return dueNow && claim.test(unmarked) ? unmarked.takenBy(node) : unmarked;
                    })
                    .flatMap(row -> store.insertMail(queue, row).thenReturn(row));
            });
    }

    /**
     * Writes {@code row} (a retry or a flushed mail) through the index, its bytes outside the queue refreshed first
     * ({@link MailBytes#refresh}): the old row is deleted once this one is written.
     */
    Mono<Void> rewrite(QueuedRow row) {
        return store.refreshBytes(row)
            .flatMap(moved -> slices.register(moved.shard(), moved.slice()).then(store.insertMail(queue, moved)));
    }

    private record Serialised(String metadata, byte[] content) {
    }
}
