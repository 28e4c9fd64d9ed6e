package dev.gateway.queue.cassandra;

import static dev.gateway.queue.cassandra.QueueTables.ATTEMPT;
import static dev.gateway.queue.cassandra.QueueTables.BLOBS;
import static dev.gateway.queue.cassandra.QueueTables.BLOB_ID;
import static dev.gateway.queue.cassandra.QueueTables.CHUNK;
import static dev.gateway.queue.cassandra.QueueTables.CLUSTER;
import static dev.gateway.queue.cassandra.QueueTables.CONTENT;
import static dev.gateway.queue.cassandra.QueueTables.DATA;
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

import java.io.ByteArrayOutputStream;
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
        + BLOB_ID + ", " + SIZE + ", " + ATTEMPT + ", " + ENQUEUED + ", " + TAKEN;
    /** What a mail row's key, node name and small columns add to a write, roughly, for {@link CombinedWrites}. */
    private static final int KEY_BYTES = 200;
    private static final String MAIL_PARTITION = QUEUE + " = ? AND " + SHARD + " = ? AND " + SLICE + " = ?";

    private final CassandraAsyncExecutor executor;
    private final CombinedWrites rowWrites;
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
    private final PreparedStatement insertChunk;
    private final PreparedStatement readChunks;
    private final PreparedStatement deleteBlob;

    QueueStore(CqlSession session) {
        addContentColumnWhereMissing(session);
        this.executor = new CassandraAsyncExecutor(session);
        this.rowWrites = new CombinedWrites(session);
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
            + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
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
        insertChunk = session.prepare("INSERT INTO " + BLOBS + " (" + BLOB_ID + ", " + CHUNK + ", " + DATA + ") VALUES (?, ?, ?)");
        readChunks = session.prepare("SELECT " + DATA + " FROM " + BLOBS + " WHERE " + BLOB_ID + " = ?");
        deleteBlob = session.prepare("DELETE FROM " + BLOBS + " WHERE " + BLOB_ID + " = ?");
    }

    /**
     * A keyspace created before mail was kept in its row has no {@code content} column: James's table manager creates
     * missing tables only, so the column is added here, once, before any statement names it.
     */
    private static void addContentColumnWhereMissing(CqlSession session) {
        boolean missing = session.getKeyspace()
            .flatMap(keyspace -> session.getMetadata().getKeyspace(keyspace))
            .flatMap(keyspace -> keyspace.getTable(MAILS))
            .map(table -> table.getColumn(CONTENT).isEmpty())
            .orElse(false);
        if (missing) {
            LOGGER.info("Adding column {} to table {} (small mail is now kept in its row)", CONTENT, MAILS);
            session.execute(CassandraConnection.schemaStatement("ALTER TABLE " + MAILS + " ADD " + CONTENT + " blob"));
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
                row.blobId(), row.size(), row.attempt(), row.enqueued(), row.taken(),
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
     * Deletes a finished or removed mail: its row, then its chunks when it has any. The row goes first because
     * enqueue writes it last: a crash in between leaves chunks without a row (never read again), not a row without
     * bytes, which polls would find and take again for good.
     */
    Mono<Void> deleteMailAndBytes(String queue, QueuedRow row) {
        Mono<Void> deleteRow = deleteMail(queue, row);
        return row.bytesInRow() ? deleteRow : deleteRow.then(deleteBlob(row.blobId()));
    }

    // Message bytes.

    /**
     * A mail's message bytes: those at hand, else read from its row or its chunks; empty when they are gone (the mail
     * was deleted).
     */
    Mono<byte[]> bytesOf(String queue, QueuedRow row) {
        if (!row.bytesInRow()) {
            return readBlob(row.blobId());
        }
        if (row.content() != null) {
            return Mono.just(row.content());
        }
        return executor.executeSingleRowOptional(readContent.bind(queue, row.shard(), row.slice(), row.due(), row.id()))
            .map(found -> found.map(r -> r.getByteBuffer(CONTENT)).map(QueueStore::bytes).orElse(new byte[0]));
    }

    Mono<Void> writeBlob(UUID blobId, byte[] content, int chunkSize) {
        int chunks = Math.max(1, (content.length + chunkSize - 1) / chunkSize);
        return Flux.range(0, chunks)
            .flatMap(chunk -> {
                int from = chunk * chunkSize;
                int length = Math.min(chunkSize, content.length - from);
                return executor.executeVoid(insertChunk.bind(blobId, chunk, ByteBuffer.wrap(content, from, length)));
            }, 4)
            .then();
    }

    private Mono<byte[]> readBlob(UUID blobId) {
        return executor.executeRows(readChunks.bind(blobId))
            .map(row -> row.getByteBuffer(DATA))
            .reduce(new ByteArrayOutputStream(), (out, buffer) -> {
                out.writeBytes(bytes(buffer));
                return out;
            })
            .map(ByteArrayOutputStream::toByteArray);
    }

    private Mono<Void> deleteBlob(UUID blobId) {
        return executor.executeVoid(deleteBlob.bind(blobId));
    }

    private static QueuedRow row(Row row) {
        return new QueuedRow(row.getInt(SHARD), row.getInstant(SLICE), row.getInstant(DUE), row.getUuid(ID),
            row.getString(METADATA), row.getUuid(BLOB_ID), null, row.getLong(SIZE), row.getInt(ATTEMPT),
            row.getInstant(ENQUEUED), row.getString(TAKEN));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
