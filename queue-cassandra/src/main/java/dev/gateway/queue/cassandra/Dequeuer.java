package dev.gateway.queue.cassandra;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.datastax.oss.driver.api.core.uuid.Uuids;
import com.google.common.base.Suppliers;
import com.google.common.cache.CacheBuilder;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Reads the due mail of the shards this node owns, with plain reads only, and hands it out in queue order.
 *
 * <p>Per shard it keeps a head (the oldest slice that may hold mail, stored in Cassandra) and, per slice, a cursor:
 * the last row before which every row is handed out or done. A poll reads each slice from its cursor, so it does not
 * read again the tombstones of the mail it already finished. Rows are written with the writer's clock, so a row may
 * land behind a cursor (a slow write, another node's clock): the cursor stays {@link #SETTLE} behind now, and every
 * {@link #RESCAN} the shard's slices are read again from their start. Only such a full read may forget an empty slice
 * that ended more than the grace period ago: its partition is dropped whole and the head moves past it, so it is
 * never read again.
 */
final class Dequeuer {

    private static final Logger LOGGER = LoggerFactory.getLogger(Dequeuer.class);
    static final Duration SETTLE = Duration.ofSeconds(2);
    static final Duration RESCAN = Duration.ofSeconds(10);
    static final int READ_AHEAD = 64;
    /**
     * Rows this node wrote keep their bytes in memory until handed out, so that a small mail needs no read at all;
     * beyond this many rows waiting (a backlog, or a queue nobody on this node consumes), they are kept without them
     * and read at hand-out, like other rows.
     */
    static final int OFFERED_WITH_BYTES = 256;
    /** How long, and how many, mails claimed at enqueue are remembered until taken ({@link #claim}). */
    static final Duration CLAIM_MEMORY = Duration.ofMinutes(10);
    static final int CLAIMS_REMEMBERED = 10_000;

    private final String queue;
    private final QueueStore store;
    private final QueueShards shards;
    private final SliceIndex index;
    private final MailCodec codec;
    private final QueueSettings settings;
    private final Clock clock;
    private final String node;
    private final AtomicLong redeliveries;
    private final Map<Integer, ShardCursor> cursors = new HashMap<>();
    private final NavigableSet<QueuedRow> readAhead = new TreeSet<>(QueuedRow.ORDER);
    private Instant lastReadAt = Instant.MIN;
    private boolean rowsLeftBehind = true;
    private volatile boolean readSoon;
    private final Queue<QueuedRow> offered = new ConcurrentLinkedQueue<>();
    // The bytes of the offered rows not yet drained, by id: a poll may read such a row from Cassandra (without its
    // bytes) and hand it out before the next drain.
    private final Map<UUID, byte[]> offeredBytes = new ConcurrentHashMap<>();
    private final Set<Integer> handedBack = ConcurrentHashMap.newKeySet();
    // Mails this process wrote already marked taken by this node, not yet handed out: their mark is no re-delivery.
    // An id whose row this node never takes (its shard moved on meanwhile) is forgotten after CLAIM_MEMORY.
    private final Set<UUID> claimed = Collections.newSetFromMap(CacheBuilder.newBuilder()
        .maximumSize(CLAIMS_REMEMBERED).expireAfterWrite(CLAIM_MEMORY).<UUID, Boolean>build().asMap());
    // Due rows left in memory by the last poll: waiting workers take them before a mail written now.
    private volatile int dueInMemory;

    Dequeuer(String queue, QueueStore store, QueueShards shards, SliceIndex index, MailCodec codec, QueueSettings settings,
             Clock clock, String node, AtomicLong redeliveries) {
        this.queue = queue;
        this.store = store;
        this.shards = shards;
        this.index = index;
        this.codec = codec;
        this.settings = settings;
        this.clock = clock;
        this.node = node;
        this.redeliveries = redeliveries;
    }

    record Taken(QueuedRow row, Mail mail) {
    }

    /**
     * Takes up to {@code wanted} due mails, oldest first, and marks them in flight.
     *
     * <p>Mail this node writes into its own shards is {@link #offer offered} to it directly and needs no read. Cassandra
     * is read for the rest (other nodes' mail, delayed mail coming due, shards taken over) at most once per
     * {@code pollMax}, and at once while the last read left rows behind (a read returns up to {@link #READ_AHEAD}
     * rows per slice). Rows read are served from memory: the spool asks for one mail each time a worker is free, and
     * a read of every shard per mail would cost more than the mail.
     */
    synchronized List<Taken> poll(int wanted) {
        Instant now = clock.instant();
        Set<Integer> polled = shards.polled();
        for (QueuedRow row = offered.poll(); row != null; row = offered.poll()) {
            offeredBytes.remove(row.id());
            if (!shards.isFinished(row.id())) {
                // A poll that read Cassandra after the row was written and before this drain holds a copy without
                // the bytes: the row with them replaces it, or the bytes would be read again by key.
                readAhead.remove(row);
                readAhead.add(readAhead.size() < OFFERED_WITH_BYTES ? row : row.withoutContent());
            }
        }
        readAhead.removeIf(row -> !polled.contains(row.shard()));
        if (readSoon) {
            readSoon = false;
            rowsLeftBehind = true;
            for (Integer shard : List.copyOf(handedBack)) {
                handedBack.remove(shard);
                Optional.ofNullable(cursors.get(shard)).ifPresent(ShardCursor::reset);
            }
        }
        boolean tooFew = readAhead.stream().takeWhile(row -> !row.due().isAfter(now)).limit(wanted).count() < wanted;
        if (lastReadAt.plus(settings.pollMax()).isBefore(now) || (tooFew && rowsLeftBehind)) {
            rowsLeftBehind = false;
            lastReadAt = now;
            cursors.keySet().retainAll(polled);
            Supplier<Boolean> othersLive = Suppliers.memoize(this::othersLive);
            for (int shard : polled) {
                readAhead.addAll(cursors.computeIfAbsent(shard, ShardCursor::new).due(now, READ_AHEAD, othersLive));
            }
        }
        List<QueuedRow> chosen = new ArrayList<>();
        while (chosen.size() < wanted && !readAhead.isEmpty() && !readAhead.first().due().isAfter(now)) {
            QueuedRow row = readAhead.pollFirst();
            if (shards.take(row)) {
                chosen.add(row);
            }
        }
        cursors.values().forEach(cursor -> cursor.advance(now));
        dueInMemory = (int) readAhead.stream().takeWhile(row -> !row.due().isAfter(now)).count();
        return Flux.fromIterable(chosen)
            .flatMapSequential(row -> take(row).flux(), 8)
            .collectList()
            .block();
    }

    /**
     * A row this node has just written (an enqueue, a retry): if it is due and the node polls its shard, no read is
     * needed to find it. Called from the driver's threads, so it takes no lock (a poll holds the lock while it waits
     * for the driver): the next poll picks it up. Delayed rows are left to reads: an operator's flush on another
     * node may move them.
     */
    void offer(QueuedRow row) {
        if (!row.due().isAfter(clock.instant())) {
            if (row.content() != null && offeredBytes.size() < OFFERED_WITH_BYTES) {
                offeredBytes.put(row.id(), row.content());
                offered.add(row);
            } else {
                offered.add(row.withoutContent());
            }
        }
    }

    /**
     * Whether a mail about to be written into {@code row}'s place, due now, goes to a worker of this node at once:
     * this node polls its shard, and more workers wait ({@code demand}) than mails wait in memory before it. If so,
     * it is remembered as claimed and its row is written already marked taken by this node, which saves the mark's
     * own write at hand-out (one of the queue's three writes per mail). Only the count of re-deliveries depends on
     * the mark: after a crash, a claimed mail not yet handed out counts as delivered again (a few at most, the workers
     * that waited), where a mail taken from a backlog is marked as before, when it is taken.
     */
    boolean claim(QueuedRow row, long demand) {
        if (!shards.polls(row.shard()) || demand <= (long) claimed.size() + offered.size() + dueInMemory) {
            return false;
        }
        claimed.add(row.id());
        return true;
    }

    /**
     * Whether a node other than this one is live, and so may have written into this node's shards slices it does not
     * know. Every node writes its heartbeat before it opens a queue, keeps it for a lease after it dies and for
     * two polls after it leaves ({@link ShardLeases}): a node alone skips the index reads between full reads. When the
     * answer cannot be read, it is yes.
     */
    private boolean othersLive() {
        try {
            return Boolean.TRUE.equals(store.liveNodes().any(live -> !live.equals(node)).block());
        } catch (RuntimeException e) {
            LOGGER.debug("Could not read the live nodes of queue {}; reading the slice index", queue, e);
            return true;
        }
    }

    /** Shards were taken, or a mail handed back: read Cassandra at the next poll. */
    void readSoon() {
        readSoon = true;
    }

    private Mono<Taken> take(QueuedRow read) {
        QueuedRow row = read.bytesInRow() && read.content() == null
            ? Optional.ofNullable(offeredBytes.remove(read.id())).map(read::withContent).orElse(read)
            : read;
        if (row.metadata() == null) {
            // Only a taken mark: written by a node that took the mail while another deleted it (the mark is an upsert).
            LOGGER.info("Mail {} of queue {} (shard {}) was deleted while node {} took it: its leftover mark is deleted",
                row.id(), queue, row.shard(), row.taken());
            forget(row);
            return Mono.empty();
        }
        boolean markedAtEnqueue = claimed.remove(row.id());
        if (row.taken() != null && !markedAtEnqueue) {
            long count = redeliveries.incrementAndGet();
            LOGGER.warn("Mail {} of queue {} (shard {}) was taken by node {} before and not finished: delivering it again"
                + " (at-least-once; {} re-deliveries on this node)", row.id(), queue, row.shard(), row.taken(), count);
        }
        if (!markedAtEnqueue) {
            // Only a record for counting re-deliveries after a crash: not waited for.
            store.markTaken(queue, row, node)
                .subscribe(any -> { }, e -> LOGGER.debug("Could not mark mail {} of queue {} taken", row.id(), queue, e));
        }
        return store.bytesOf(queue, row)
            .filter(content -> {
                if (row.bytesGone(content)) {
                    if (row.taken() != null && !markedAtEnqueue) {
                        LOGGER.warn("Mail {} of queue {} (shard {}) has no bytes left: it was finished or removed by a"
                            + " process that stopped before deleting its row; row deleted", row.id(), queue, row.shard());
                    }
                    forget(row);
                    return false;
                }
                return true;
            })
            .map(content -> {
                try {
                    // Kept with the row handed out: a retry writes the mail again, bytes included.
                    return new Taken(row.bytesInRow() ? row.withContent(content) : row, codec.mail(row.metadata(), content));
                } catch (javax.mail.MessagingException e) {
                    throw new IllegalStateException(e);
                }
            })
            .onErrorResume(e -> {
                LOGGER.error("Could not read mail {} of queue {}; leaving it for a later poll", row.id(), queue, e);
                putBack(row);
                return Mono.empty();
            });
    }

    /**
     * A row with nothing to deliver: its bytes are gone (removed by an operator after this poll read it, or left by a
     * process that stopped between deleting a finished mail's bytes and its row, before acknowledgement deleted the
     * row first), or it is only the taken mark of a mail deleted as it was taken. A row kept would be taken again at
     * every poll, for good, and counted in the queue's size: it is deleted.
     */
    private void forget(QueuedRow row) {
        shards.finished(row.id());
        shards.inFlight().remove(row.id());
        store.deleteMail(queue, row)
            .subscribe(any -> { }, e -> LOGGER.warn("Could not delete the row of mail {} of queue {}, whose bytes are gone;"
                + " a poll finds it again once this node has forgotten finishing it ({}), and tries again", row.id(), queue,
                QueueShards.FINISHED_MEMORY, e));
    }

    /** A mail handed back without being finished: its slice is read again from its start. Takes no lock, as offer. */
    void putBack(QueuedRow row) {
        shards.inFlight().remove(row.id());
        handedBack.add(row.shard());
        readSoon = true;
    }

    private boolean isForgettable(Instant slice, Instant now) {
        return slice.plus(settings.sliceLength()).plus(settings.grace()).isBefore(now);
    }

    private final class ShardCursor {
        private final int shard;
        private Instant head;
        private final NavigableSet<Instant> slices = new TreeSet<>();
        private Instant indexReadAt = Instant.MIN;
        private Instant fullReadAt = Instant.MIN;
        private final Map<Instant, QueuedRow> after = new HashMap<>();
        private final Map<Instant, List<QueuedRow>> lastRead = new HashMap<>();
        private final Set<Instant> cutShort = new java.util.HashSet<>();

        ShardCursor(int shard) {
            this.shard = shard;
        }

        void reset() {
            after.clear();
            fullReadAt = Instant.MIN;
        }

        /**
         * The due rows of the shard's slices. The slice index is read at every full read and, while another node is
         * live, at most once per {@code pollMax}: it lists every slice from the head, future ones (delayed mail)
         * included, so that a node alone knows every slice that will come due without reading the index again;
         * slices it writes itself it knows from {@link SliceIndex}.
         */
        List<QueuedRow> due(Instant now, int wanted, Supplier<Boolean> othersLive) {
            if (head == null) {
                head = store.head(queue, shard).block().orElse(Instant.EPOCH);
            }
            boolean full = fullReadAt.plus(RESCAN).isBefore(now);
            Instant current = settings.sliceOf(now);
            if (full || (indexReadAt.plus(settings.pollMax()).isBefore(now) && othersLive.get())) {
                slices.clear();
                slices.addAll(store.slicesFrom(queue, shard, head).collectList().block());
                indexReadAt = now;
            }
            slices.addAll(index.known(shard).subSet(head, true, current, true));
            if (full) {
                after.clear();
                fullReadAt = now;
            }
            lastRead.clear();
            cutShort.clear();
            List<QueuedRow> due = new ArrayList<>();
            boolean forgot = false;
            for (Instant slice : List.copyOf(slices.headSet(current, true))) {
                Optional<QueuedRow> cursor = Optional.ofNullable(after.get(slice));
                if (cursor.isPresent() && !cursor.get().due().isBefore(slice.plus(settings.sliceLength()))) {
                    // Every row of a slice is due before the slice ends, so none lies after a cursor past its end:
                    // the read would be empty. Rows landing there late (slow write, clock skew) are found by the full
                    // read, which starts without cursors, as before. Skipping these reads the whole grace period
                    // of past slices at every poll: ~4 of the ~5 reads per mail under load.
                    continue;
                }
                int limit = wanted + shards.inFlight().size();
                List<QueuedRow> rows = store.dueMails(queue, shard, slice, cursor, now, limit).collectList().block();
                if (rows.size() >= limit) {
                    rowsLeftBehind = true;
                    cutShort.add(slice);
                }
                if (rows.isEmpty() && cursor.isEmpty() && isForgettable(slice, now)) {
                    store.forgetSlice(queue, shard, slice).block();
                    slices.remove(slice);
                    index.known(shard).remove(slice);
                    forgot = true;
                    continue;
                }
                lastRead.put(slice, rows);
                rows.stream().filter(row -> !shards.inFlight().containsKey(row.id()) && !shards.isFinished(row.id())).forEach(due::add);
            }
            if (forgot) {
                advanceHead(now);
            }
            return due;
        }

        /**
         * Moves each slice's cursor past what the last read showed to be handled: rows in flight or finished, and
         * when the read was complete (not cut by its limit), also the deleted rows it skipped, up to the settle
         * time. Never past a row not yet handed out, nor closer to now than the settle time.
         */
        void advance(Instant now) {
            Instant settled = now.minus(SETTLE);
            lastRead.forEach((slice, rows) -> {
                boolean allHandled = true;
                for (QueuedRow row : rows) {
                    if (!row.due().isBefore(settled)) {
                        break;
                    }
                    if (!shards.inFlight().containsKey(row.id()) && !shards.isFinished(row.id())) {
                        allHandled = false;
                        break;
                    }
                    after.put(slice, row);
                }
                if (allHandled && !cutShort.contains(slice)) {
                    // Everything before the settle time is handled or deleted: skip its tombstones from now on.
                    after.put(slice, new QueuedRow(shard, slice, settled, Uuids.endOf(settled.toEpochMilli()), "", null,
                        null, null, 0, 0, settled, null));
                }
            });
            lastRead.clear();
            cutShort.clear();
        }

        /**
         * Moves the head to the oldest slice still listed, but never past the grace period: a node whose clock is
         * behind may still be writing into a slice that looks old to us.
         */
        private void advanceHead(Instant now) {
            Instant limit = settings.sliceOf(now.minus(settings.grace()));
            Instant oldest = store.slicesFrom(queue, shard, head).next().blockOptional().orElse(limit);
            Instant newHead = oldest.isBefore(limit) ? oldest : limit;
            if (newHead.isAfter(head)) {
                store.writeHead(queue, shard, newHead).block();
                head = newHead;
                index.dropBefore(shard, newHead);
                slices.headSet(newHead, false).clear();
                after.keySet().removeIf(slice -> slice.isBefore(newHead));
            }
        }
    }
}
