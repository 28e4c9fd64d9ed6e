package dev.gateway.queue.cassandra;

import static dev.gateway.queue.cassandra.QueueTables.ATTEMPT;
import static dev.gateway.queue.cassandra.QueueTables.BLOB_ID;
import static dev.gateway.queue.cassandra.QueueTables.BYTES_REF;
import static dev.gateway.queue.cassandra.QueueTables.CLUSTER;
import static dev.gateway.queue.cassandra.QueueTables.CONTENT;
import static dev.gateway.queue.cassandra.QueueTables.DUE;
import static dev.gateway.queue.cassandra.QueueTables.ENQUEUED;
import static dev.gateway.queue.cassandra.QueueTables.HEAD;
import static dev.gateway.queue.cassandra.QueueTables.HEADS;
import static dev.gateway.queue.cassandra.QueueTables.ID;
import static dev.gateway.queue.cassandra.QueueTables.LEASES;
import static dev.gateway.queue.cassandra.QueueTables.MAILS;
import static dev.gateway.queue.cassandra.QueueTables.METADATA;
import static dev.gateway.queue.cassandra.QueueTables.NODE;
import static dev.gateway.queue.cassandra.QueueTables.NODES;
import static dev.gateway.queue.cassandra.QueueTables.OWNER;
import static dev.gateway.queue.cassandra.QueueTables.QUEUE;
import static dev.gateway.queue.cassandra.QueueTables.QUEUES;
import static dev.gateway.queue.cassandra.QueueTables.SHARD;
import static dev.gateway.queue.cassandra.QueueTables.SIZE;
import static dev.gateway.queue.cassandra.QueueTables.SLICE;
import static dev.gateway.queue.cassandra.QueueTables.SLICES;
import static dev.gateway.queue.cassandra.QueueTables.TAKEN;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.apache.james.backends.cassandra.utils.CassandraAsyncExecutor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.google.common.collect.ImmutableMap;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Every CQL statement of the Cassandra mail queue, prepared once. Lightweight transactions (IF ...) are used only
 * for shard leases, where one node must win; every statement on a mail's path is a plain read, write or delete.
 */
final class QueueStore {

    private static final Logger LOGGER = LoggerFactory.getLogger(QueueStore.class);
    private static final int ONE_CLUSTER = 0;
    // Polls read rows without the bytes kept in them: a read returns the rows in flight again, and their bytes with
    // them would cost more than the chunk read they save.
    private static final String MAIL_COLUMNS = SHARD + ", " + SLICE + ", " + DUE + ", " + ID + ", " + METADATA + ", "
        + BLOB_ID + ", " + BYTES_REF + ", " + SIZE + ", " + ATTEMPT + ", " + ENQUEUED + ", " + TAKEN;
    /** What a mail row's key, node name and small columns add to a write, roughly, for {@link CombinedWrites}. */
    private static final int KEY_BYTES = 200;
    private static final String MAIL_PARTITION = QUEUE + " = ? AND " + SHARD + " = ? AND " + SLICE + " = ?";

    private final CassandraAsyncExecutor executor;
    private final CombinedWrites rowWrites;
    private final Optional<MailBytes> elsewhere;
    private final QueueChunks chunks;
    private final PreparedStatement registerQueue;
    private final PreparedStatement listQueues;
    private final PreparedStatement heartbeat;
    private final PreparedStatement liveNodes;
    private final PreparedStatement leaseOwners;
    private final PreparedStatement takeLease;
    private final PreparedStatement renewLease;
    private final PreparedStatement releaseLease;
    private final PreparedStatement readHead;
    private final PreparedStatement writeHead;
    private final PreparedStatement addSlice;
    private final PreparedStatement deleteSlice;
    private final PreparedStatement slicesFrom;
    private final PreparedStatement insertMail;
    private final PreparedStatement dueMails;
    private final PreparedStatement dueMailsAfter;
    private final PreparedStatement allMails;
    private final PreparedStatement markTaken;
    private final PreparedStatement deleteMail;
    private final PreparedStatement readContent;
    private final PreparedStatement dropSlice;

    /**
     * @param elsewhere where the bytes of mail not kept in its row are written, when not in the queue's chunks
     * @param chunks    the queue's chunks: where those bytes are written without {@code elsewhere}, and where rows
     *                  naming a {@code blob} id keep them (with it, rows written before it)
     */
    QueueStore(CqlSession session, Optional<MailBytes> elsewhere, QueueChunks chunks) {
        addColumnWhereMissing(session, CONTENT, "blob", "small mail is now kept in its row");
        addColumnWhereMissing(session, BYTES_REF, "text", "large mail's bytes are now named by a reference");
        this.executor = new CassandraAsyncExecutor(session);
        this.rowWrites = new CombinedWrites(session);
        this.elsewhere = elsewhere;
        this.chunks = chunks;
        registerQueue = session.prepare("INSERT INTO " + QUEUES + " (" + QUEUE + ") VALUES (?)");
        listQueues = session.prepare("SELECT " + QUEUE + " FROM " + QUEUES);
        heartbeat = session.prepare("INSERT INTO " + NODES + " (" + CLUSTER + ", " + NODE + ") VALUES (" + ONE_CLUSTER
            + ", ?) USING TTL ?");
        liveNodes = session.prepare("SELECT " + NODE + " FROM " + NODES + " WHERE " + CLUSTER + " = " + ONE_CLUSTER);
        leaseOwners = session.prepare("SELECT " + SHARD + ", " + OWNER + " FROM " + LEASES + " WHERE " + QUEUE + " = ? AND "
            + SHARD + " IN ?");
        takeLease = session.prepare("INSERT INTO " + LEASES + " (" + QUEUE + ", " + SHARD + ", " + OWNER
            + ") VALUES (?, ?, ?) IF NOT EXISTS USING TTL ?");
        renewLease = session.prepare("UPDATE " + LEASES + " USING TTL ? SET " + OWNER + " = ? WHERE " + QUEUE + " = ? AND "
            + SHARD + " = ? IF " + OWNER + " = ?");
        releaseLease = session.prepare("DELETE FROM " + LEASES + " WHERE " + QUEUE + " = ? AND " + SHARD + " = ? IF "
            + OWNER + " = ?");
        readHead = session.prepare("SELECT " + HEAD + " FROM " + HEADS + " WHERE " + QUEUE + " = ? AND " + SHARD + " = ?");
        writeHead = session.prepare("UPDATE " + HEADS + " SET " + HEAD + " = ? WHERE " + QUEUE + " = ? AND " + SHARD + " = ?");
        addSlice = session.prepare("INSERT INTO " + SLICES + " (" + QUEUE + ", " + SHARD + ", " + SLICE + ") VALUES (?, ?, ?)");
        deleteSlice = session.prepare("DELETE FROM " + SLICES + " WHERE " + QUEUE + " = ? AND " + SHARD + " = ? AND "
            + SLICE + " = ?");
        slicesFrom = session.prepare("SELECT " + SLICE + " FROM " + SLICES + " WHERE " + QUEUE + " = ? AND " + SHARD
            + " = ? AND " + SLICE + " >= ?");
        insertMail = session.prepare("INSERT INTO " + MAILS + " (" + QUEUE + ", " + MAIL_COLUMNS + ", " + CONTENT
            + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        dueMails = session.prepare("SELECT " + MAIL_COLUMNS + " FROM " + MAILS + " WHERE " + MAIL_PARTITION + " AND "
            + DUE + " <= ? LIMIT ?");
        dueMailsAfter = session.prepare("SELECT " + MAIL_COLUMNS + " FROM " + MAILS + " WHERE " + MAIL_PARTITION + " AND ("
            + DUE + ", " + ID + ") > (?, ?) AND (" + DUE + ") <= (?) LIMIT ?");
        allMails = session.prepare("SELECT " + MAIL_COLUMNS + " FROM " + MAILS + " WHERE " + MAIL_PARTITION);
        markTaken = session.prepare("UPDATE " + MAILS + " SET " + TAKEN + " = ? WHERE " + MAIL_PARTITION + " AND "
            + DUE + " = ? AND " + ID + " = ?");
        deleteMail = session.prepare("DELETE FROM " + MAILS + " WHERE " + MAIL_PARTITION + " AND " + DUE + " = ? AND " + ID + " = ?");
        readContent = session.prepare("SELECT " + CONTENT + " FROM " + MAILS + " WHERE " + MAIL_PARTITION + " AND " + DUE
            + " = ? AND " + ID + " = ?");
        dropSlice = session.prepare("DELETE FROM " + MAILS + " WHERE " + MAIL_PARTITION);
    }

    /**
     * A keyspace created before a column of the mail table existed lacks it ({@code content} before mail was kept in
     * its row, {@code bytes_ref} before {@link MailBytes}): James's table manager creates missing tables only, so the
     * column is added here, once, before any statement names it.
     */
    private static void addColumnWhereMissing(CqlSession session, String column, String type, String why) {
        boolean missing = session.getKeyspace()
            .flatMap(keyspace -> session.getMetadata().getKeyspace(keyspace))
            .flatMap(keyspace -> keyspace.getTable(MAILS))
            .map(table -> table.getColumn(column).isEmpty())
            .orElse(false);
        if (missing) {
            LOGGER.info("Adding column {} to table {} ({})", column, MAILS, why);
            session.execute(CassandraConnection.schemaStatement("ALTER TABLE " + MAILS + " ADD " + column + " "
                + type));
        }
    }

    Mono<Void> registerQueue(String queue) {
        return executor.executeVoid(registerQueue.bind(queue));
    }

    Flux<String> queues() {
        return executor.executeRows(listQueues.bind()).map(row -> row.getString(QUEUE));
    }

    // Nodes and shard leases.

    Mono<Void> heartbeat(String node, Duration ttl) {
        return executor.executeVoid(heartbeat.bind(node, (int) ttl.toSeconds()));
    }

    Flux<String> liveNodes() {
        return executor.executeRows(liveNodes.bind()).map(row -> row.getString(NODE));
    }

    /** The current owner of each leased shard among {@code shards}; free shards are absent. */
    Mono<Map<Integer, String>> owners(String queue, List<Integer> shards) {
        return executor.executeRows(leaseOwners.bind(queue, shards))
            .filter(row -> row.getString(OWNER) != null)
            .collectMap(row -> row.getInt(SHARD), row -> row.getString(OWNER))
            .map(ImmutableMap::copyOf);
    }

    Mono<Boolean> takeLease(String queue, int shard, String owner, Duration lease) {
        return executor.executeReturnApplied(takeLease.bind(queue, shard, owner, (int) lease.toSeconds()));
    }

    Mono<Boolean> renewLease(String queue, int shard, String owner, Duration lease) {
        return executor.executeReturnApplied(renewLease.bind((int) lease.toSeconds(), owner, queue, shard, owner));
    }

    Mono<Boolean> releaseLease(String queue, int shard, String owner) {
        return executor.executeReturnApplied(releaseLease.bind(queue, shard, owner));
    }

    // Heads and slices of a shard.

    Mono<Optional<Instant>> head(String queue, int shard) {
        return executor.executeSingleRowOptional(readHead.bind(queue, shard))
            .map(row -> row.flatMap(r -> Optional.ofNullable(r.getInstant(HEAD))));
    }

    Mono<Void> writeHead(String queue, int shard, Instant head) {
        return executor.executeVoid(writeHead.bind(head, queue, shard));
    }

    Mono<Void> addSlice(String queue, int shard, Instant slice) {
        return executor.executeVoid(addSlice.bind(queue, shard, slice));
    }

    /** Forgets an empty slice: its index row goes, and its mail partition is dropped whole. */
    Mono<Void> forgetSlice(String queue, int shard, Instant slice) {
        return executor.executeVoid(dropSlice.bind(queue, shard, slice))
            .then(executor.executeVoid(deleteSlice.bind(queue, shard, slice)));
    }

    Flux<Instant> slicesFrom(String queue, int shard, Instant from) {
        return executor.executeRows(slicesFrom.bind(queue, shard, from)).map(row -> row.getInstant(SLICE));
    }

    // Mails.

    /** Writes a row; a mail kept in its row must have its bytes at hand, or they would be lost. */
    Mono<Void> insertMail(String queue, QueuedRow row) {
        if (row.bytesInRow() && row.content() == null) {
            return Mono.error(new IllegalStateException("mail " + row.id() + " of queue " + queue
                + " is kept in its row, but its bytes were not read: not rewriting it without them"));
        }
        return rowWrites.write(insertMail.bind(queue, row.shard(), row.slice(), row.due(), row.id(), row.metadata(),
                row.blobId(), row.bytesRef(), row.size(), row.attempt(), row.enqueued(), row.taken(),
                row.bytesInRow() ? ByteBuffer.wrap(row.content()) : null),
            KEY_BYTES + (row.metadata() == null ? 0 : row.metadata().length()) + (row.bytesInRow() ? row.content().length : 0));
    }

    /** Due rows of a slice, after {@code cursor} (the last row this node saw there) when there is one. */
    Flux<QueuedRow> dueMails(String queue, int shard, Instant slice, Optional<QueuedRow> cursor, Instant now, int limit) {
        return executor.executeRows(cursor
                .map(last -> dueMailsAfter.bind(queue, shard, slice, last.due(), last.id(), now, limit))
                .orElseGet(() -> dueMails.bind(queue, shard, slice, now, limit)))
            .map(QueueStore::row);
    }

    /**
     * Every mail row of a queue, each of its {@code shards} read from its head on, future slices (delayed mail)
     * included, in no particular order. A row without metadata (the leftover taken mark of a deleted mail, which
     * {@link Dequeuer} deletes) is not mail and is left out.
     */
    Flux<QueuedRow> queuedRows(String queue, int shards) {
        return Flux.range(0, shards)
            .concatMap(shard -> head(queue, shard)
                .flatMapMany(head -> slicesFrom(queue, shard, head.orElse(Instant.EPOCH)))
                .concatMap(slice -> mails(queue, shard, slice)))
            .filter(row -> row.metadata() != null);
    }

    Flux<QueuedRow> mails(String queue, int shard, Instant slice) {
        return executor.executeRows(allMails.bind(queue, shard, slice)).map(QueueStore::row);
    }

    Mono<Void> markTaken(String queue, QueuedRow row, String node) {
        return rowWrites.write(markTaken.bind(node, queue, row.shard(), row.slice(), row.due(), row.id()), KEY_BYTES);
    }

    Mono<Void> deleteMail(String queue, QueuedRow row) {
        return rowWrites.write(deleteMail.bind(queue, row.shard(), row.slice(), row.due(), row.id()), KEY_BYTES);
    }

    /**
     * Deletes a finished or removed mail: its row, then its chunks when it has some (bytes kept in {@link MailBytes} are
     * left to that store). The row goes first because enqueue writes it last: a crash in between leaves chunks without
     * a row (never read again), not a row without bytes, which polls would find and take again for good.
     */
    Mono<Void> deleteMailAndBytes(String queue, QueuedRow row) {
        Mono<Void> deleteRow = deleteMail(queue, row);
        return row.blobId() == null ? deleteRow : deleteRow.then(chunks.delete(row.blobId()));
    }

    // Message bytes.

    /**
     * A mail's message bytes: those at hand, else read from its row or its chunks; empty when they are gone (the mail
     * was deleted).
     */
    Mono<byte[]> bytesOf(String queue, QueuedRow row) {
        if (row.blobId() != null) {
            return chunks.read(row.blobId());
        }
        if (row.bytesRef() != null) {
            return elsewhereFor(row).flatMap(store -> store.read(row.bytesRef()));
        }
        if (row.content() != null) {
            return Mono.just(row.content());
        }
        return executor.executeSingleRowOptional(readContent.bind(queue, row.shard(), row.slice(), row.due(), row.id()))
            .map(found -> found.map(r -> r.getByteBuffer(CONTENT)).map(QueueStore::bytes).orElse(new byte[0]));
    }

    /** Stores the bytes of a mail not kept in its row; what its row keeps of them. */
    Mono<StoredBytes> writeBytes(byte[] content) {
        return elsewhere
            .map(store -> store.write(content).map(reference -> new StoredBytes(null, reference)))
            .orElseGet(() -> chunks.write(content).map(blobId -> new StoredBytes(blobId, null)));
    }

    /** {@code row} as a mail that moves keeps it: with a reference {@link MailBytes#refresh} gave, when it has one. */
    Mono<QueuedRow> refreshBytes(QueuedRow row) {
        if (row.bytesRef() == null) {
            return Mono.just(row);
        }
        return elsewhereFor(row).flatMap(store -> store.refresh(row.bytesRef())).map(row::withBytesRef);
    }

    private Mono<MailBytes> elsewhereFor(QueuedRow row) {
        return Mono.justOrEmpty(elsewhere).switchIfEmpty(Mono.error(() -> new IllegalStateException("mail " + row.id()
            + " keeps its bytes outside the queue (bytes_ref " + row.bytesRef() + "), and this node has no store for"
            + " them: a node of the cluster profile wrote it; every node on a keyspace must run the same profile")));
    }

    /** Where a mail's bytes are: the queue's chunks under {@code blobId}, or {@code bytesRef} of {@link MailBytes}. */
    record StoredBytes(UUID blobId, String bytesRef) {
        /** Kept in the row. */
        static final StoredBytes IN_ROW = new StoredBytes(null, null);
    }

    private static QueuedRow row(Row row) {
        return new QueuedRow(row.getInt(SHARD), row.getInstant(SLICE), row.getInstant(DUE), row.getUuid(ID),
            row.getString(METADATA), row.getUuid(BLOB_ID), row.getString(BYTES_REF), null, row.getLong(SIZE),
            row.getInt(ATTEMPT), row.getInstant(ENQUEUED), row.getString(TAKEN));
    }

    static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
