package dev.gateway.queue.cassandra;

import static dev.gateway.queue.cassandra.QueueTables.ATTEMPT;
import static dev.gateway.queue.cassandra.QueueTables.BLOBS;
import static dev.gateway.queue.cassandra.QueueTables.BLOB_ID;
import static dev.gateway.queue.cassandra.QueueTables.DATA;
import static dev.gateway.queue.cassandra.QueueTables.DUE;
import static dev.gateway.queue.cassandra.QueueTables.ENQUEUED;
import static dev.gateway.queue.cassandra.QueueTables.HEAD;
import static dev.gateway.queue.cassandra.QueueTables.ID;
import static dev.gateway.queue.cassandra.QueueTables.LEASES;
import static dev.gateway.queue.cassandra.QueueTables.MAILS;
import static dev.gateway.queue.cassandra.QueueTables.METADATA;
import static dev.gateway.queue.cassandra.QueueTables.QUEUE;
import static dev.gateway.queue.cassandra.QueueTables.QUEUES;
import static dev.gateway.queue.cassandra.QueueTables.SIZE;
import static dev.gateway.queue.cassandra.QueueTables.SLICE;
import static dev.gateway.queue.cassandra.QueueTables.SLICES;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import org.apache.james.backends.cassandra.utils.CassandraAsyncExecutor;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Every CQL statement of the Cassandra mail queue, prepared once. Lightweight transactions (IF ...) are used only
 * for leases, where one node must win; everything else is a plain write.
 */
final class QueueStore {

    /** Done markers outlive any poll that could have read the mail row before it was deleted. */
    static final Duration DONE_MARKER_TTL = Duration.ofHours(6);

    private final CassandraAsyncExecutor executor;
    private final PreparedStatement registerQueue;
    private final PreparedStatement listQueues;
    private final PreparedStatement readHead;
    private final PreparedStatement writeHead;
    private final PreparedStatement addSlice;
    private final PreparedStatement deleteSlice;
    private final PreparedStatement slicesUpTo;
    private final PreparedStatement slicesFrom;
    private final PreparedStatement insertMail;
    private final PreparedStatement dueMails;
    private final PreparedStatement allMails;
    private final PreparedStatement mailExists;
    private final PreparedStatement deleteMail;
    private final PreparedStatement leaseExists;
    private final PreparedStatement takeLease;
    private final PreparedStatement renewLease;
    private final PreparedStatement markDone;
    private final PreparedStatement releaseLease;
    private final PreparedStatement insertChunk;
    private final PreparedStatement readChunks;
    private final PreparedStatement deleteBlob;

    QueueStore(CqlSession session) {
        this.executor = new CassandraAsyncExecutor(session);
        registerQueue = session.prepare("INSERT INTO " + QUEUES + " (" + QUEUE + ") VALUES (?)");
        listQueues = session.prepare("SELECT " + QUEUE + " FROM " + QUEUES);
        readHead = session.prepare("SELECT " + HEAD + " FROM " + QUEUES + " WHERE " + QUEUE + " = ?");
        writeHead = session.prepare("UPDATE " + QUEUES + " SET " + HEAD + " = ? WHERE " + QUEUE + " = ?");
        addSlice = session.prepare("INSERT INTO " + SLICES + " (" + QUEUE + ", " + SLICE + ") VALUES (?, ?)");
        deleteSlice = session.prepare("DELETE FROM " + SLICES + " WHERE " + QUEUE + " = ? AND " + SLICE + " = ?");
        slicesUpTo = session.prepare("SELECT " + SLICE + " FROM " + SLICES + " WHERE " + QUEUE + " = ? AND "
            + SLICE + " >= ? AND " + SLICE + " <= ?");
        slicesFrom = session.prepare("SELECT " + SLICE + " FROM " + SLICES + " WHERE " + QUEUE + " = ? AND " + SLICE + " >= ?");
        String mailColumns = SLICE + ", " + DUE + ", " + ID + ", " + METADATA + ", " + BLOB_ID + ", " + SIZE + ", " + ATTEMPT + ", " + ENQUEUED;
        insertMail = session.prepare("INSERT INTO " + MAILS + " (" + QUEUE + ", " + mailColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
        dueMails = session.prepare("SELECT " + mailColumns + " FROM " + MAILS + " WHERE " + QUEUE + " = ? AND " + SLICE + " = ? AND "
            + DUE + " <= ? LIMIT ?");
        allMails = session.prepare("SELECT " + mailColumns + " FROM " + MAILS + " WHERE " + QUEUE + " = ? AND " + SLICE + " = ?");
        mailExists = session.prepare("SELECT " + ID + " FROM " + MAILS + " WHERE " + QUEUE + " = ? AND " + SLICE + " = ? AND "
            + DUE + " = ? AND " + ID + " = ?");
        deleteMail = session.prepare("DELETE FROM " + MAILS + " WHERE " + QUEUE + " = ? AND " + SLICE + " = ? AND "
            + DUE + " = ? AND " + ID + " = ?");
        leaseExists = session.prepare("SELECT " + QueueTables.OWNER + ", " + QueueTables.DONE + ", " + QueueTables.RELEASE_BLOB
            + " FROM " + LEASES + " WHERE " + QUEUE + " = ? AND " + ID + " = ?");
        takeLease = session.prepare("INSERT INTO " + LEASES + " (" + QUEUE + ", " + ID + ", " + QueueTables.OWNER + ", "
            + QueueTables.DONE + ") VALUES (?, ?, ?, false) IF NOT EXISTS USING TTL ?");
        renewLease = session.prepare("UPDATE " + LEASES + " USING TTL ? SET " + QueueTables.OWNER + " = ?, " + QueueTables.DONE
            + " = false WHERE " + QUEUE + " = ? AND " + ID + " = ? IF " + QueueTables.OWNER + " = ?");
        markDone = session.prepare("UPDATE " + LEASES + " USING TTL ? SET " + QueueTables.OWNER + " = ?, " + QueueTables.DONE
            + " = true, " + QueueTables.RELEASE_BLOB + " = ? WHERE " + QUEUE + " = ? AND " + ID + " = ? IF " + QueueTables.OWNER + " = ?");
        releaseLease = session.prepare("DELETE FROM " + LEASES + " WHERE " + QUEUE + " = ? AND " + ID + " = ? IF "
            + QueueTables.OWNER + " = ?");
        insertChunk = session.prepare("INSERT INTO " + BLOBS + " (" + BLOB_ID + ", " + QueueTables.CHUNK + ", " + DATA + ") VALUES (?, ?, ?)");
        readChunks = session.prepare("SELECT " + DATA + " FROM " + BLOBS + " WHERE " + BLOB_ID + " = ?");
        deleteBlob = session.prepare("DELETE FROM " + BLOBS + " WHERE " + BLOB_ID + " = ?");
    }

    Mono<Void> registerQueue(String queue) {
        return executor.executeVoid(registerQueue.bind(queue));
    }

    Flux<String> queues() {
        return executor.executeRows(listQueues.bind()).map(row -> row.getString(QUEUE));
    }

    Mono<Optional<Instant>> head(String queue) {
        return executor.executeSingleRowOptional(readHead.bind(queue))
            .map(row -> row.flatMap(r -> Optional.ofNullable(r.getInstant(HEAD))));
    }

    Mono<Void> writeHead(String queue, Instant head) {
        return executor.executeVoid(writeHead.bind(head, queue));
    }

    Mono<Void> addSlice(String queue, Instant slice) {
        return executor.executeVoid(addSlice.bind(queue, slice));
    }

    Mono<Void> deleteSlice(String queue, Instant slice) {
        return executor.executeVoid(deleteSlice.bind(queue, slice));
    }

    Flux<Instant> slices(String queue, Instant from, Instant upTo) {
        return executor.executeRows(slicesUpTo.bind(queue, from, upTo)).map(row -> row.getInstant(SLICE));
    }

    Flux<Instant> slicesFrom(String queue, Instant from) {
        return executor.executeRows(slicesFrom.bind(queue, from)).map(row -> row.getInstant(SLICE));
    }

    Mono<Void> insertMail(String queue, QueuedRow row) {
        return executor.executeVoid(insertMail.bind(queue, row.slice(), row.due(), row.id(), row.metadata(), row.blobId(),
            row.size(), row.attempt(), row.enqueued()));
    }

    Flux<QueuedRow> dueMails(String queue, Instant slice, Instant now, int limit) {
        return executor.executeRows(dueMails.bind(queue, slice, now, limit)).map(QueueStore::row);
    }

    Flux<QueuedRow> mails(String queue, Instant slice) {
        return executor.executeRows(allMails.bind(queue, slice)).map(QueueStore::row);
    }

    Mono<Boolean> exists(String queue, QueuedRow row) {
        return executor.executeReturnExists(mailExists.bind(queue, row.slice(), row.due(), row.id()));
    }

    Mono<Void> deleteMail(String queue, QueuedRow row) {
        return executor.executeVoid(deleteMail.bind(queue, row.slice(), row.due(), row.id()));
    }

    /** Who holds this mail, or whether it is done: a cheap read before trying for the lease. */
    Mono<Optional<Lease>> lease(String queue, UUID id) {
        return executor.executeSingleRowOptional(leaseExists.bind(queue, id))
            .map(row -> row.map(r -> new Lease(r.getString(QueueTables.OWNER), r.getBoolean(QueueTables.DONE),
                r.getBoolean(QueueTables.RELEASE_BLOB))));
    }

    /** A lease row: held by {@code owner}, or finished ({@code done}), in which case the blob may go too. */
    record Lease(String owner, boolean done, boolean releaseBlob) {
    }

    Mono<Boolean> takeLease(String queue, UUID id, String owner, Duration lease) {
        return executor.executeReturnApplied(takeLease.bind(queue, id, owner, (int) lease.toSeconds()));
    }

    Mono<Boolean> renewLease(String queue, UUID id, String owner, Duration lease) {
        return executor.executeReturnApplied(renewLease.bind((int) lease.toSeconds(), owner, queue, id, owner));
    }

    Mono<Boolean> markDone(String queue, UUID id, String owner, boolean releaseBlob) {
        return executor.executeReturnApplied(markDone.bind((int) DONE_MARKER_TTL.toSeconds(), owner, releaseBlob, queue, id, owner));
    }

    Mono<Boolean> releaseLease(String queue, UUID id, String owner) {
        return executor.executeReturnApplied(releaseLease.bind(queue, id, owner));
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

    Mono<byte[]> readBlob(UUID blobId) {
        return executor.executeRows(readChunks.bind(blobId))
            .map(row -> row.getByteBuffer(DATA))
            .reduce(new ByteArrayOutputStream(), (out, buffer) -> {
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                out.writeBytes(bytes);
                return out;
            })
            .map(ByteArrayOutputStream::toByteArray);
    }

    Mono<Void> deleteBlob(UUID blobId) {
        return executor.executeVoid(deleteBlob.bind(blobId));
    }

    private static QueuedRow row(Row row) {
        return new QueuedRow(row.getInstant(SLICE), row.getInstant(DUE), row.getUuid(ID), row.getString(METADATA),
            row.getUuid(BLOB_ID), row.getLong(SIZE), row.getInt(ATTEMPT), row.getInstant(ENQUEUED));
    }
}
