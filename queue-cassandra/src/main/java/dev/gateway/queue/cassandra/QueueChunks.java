package dev.gateway.queue.cassandra;

import static dev.gateway.queue.cassandra.QueueTables.BLOBS;
import static dev.gateway.queue.cassandra.QueueTables.BLOB_ID;
import static dev.gateway.queue.cassandra.QueueTables.CHUNK;
import static dev.gateway.queue.cassandra.QueueTables.DATA;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.UUID;

import org.apache.james.backends.cassandra.utils.CassandraAsyncExecutor;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A mail's bytes in chunks of the queue's own table ({@code gateway_queue_blobs}), under a random id that the mail's
 * row keeps in its {@code blob} column: written at enqueue, read at dequeue, deleted once the mail is finished. Where
 * the queue keeps large mail unless it is given a {@link MailBytes}; with one, rows written before it are read here.
 */
public final class QueueChunks {

    private final CassandraAsyncExecutor executor;
    private final int chunkSize;
    private final PreparedStatement insertChunk;
    private final PreparedStatement readChunks;
    private final PreparedStatement deleteBlob;

    /** @param chunkSize bytes per chunk ({@code cassandra.queue.chunk.bytes}) */
    public QueueChunks(CqlSession session, int chunkSize) {
        this.executor = new CassandraAsyncExecutor(session);
        this.chunkSize = chunkSize;
        insertChunk = session.prepare("INSERT INTO " + BLOBS + " (" + BLOB_ID + ", " + CHUNK + ", " + DATA
            + ") VALUES (?, ?, ?)");
        readChunks = session.prepare("SELECT " + DATA + " FROM " + BLOBS + " WHERE " + BLOB_ID + " = ?");
        deleteBlob = session.prepare("DELETE FROM " + BLOBS + " WHERE " + BLOB_ID + " = ?");
    }

    /** Stores {@code content}; the id of its chunks, once they are in Cassandra. */
    public Mono<UUID> write(byte[] content) {
        UUID blobId = UUID.randomUUID();
        int chunks = Math.max(1, (content.length + chunkSize - 1) / chunkSize);
        return Flux.range(0, chunks)
            .flatMap(chunk -> {
                int from = chunk * chunkSize;
                int length = Math.min(chunkSize, content.length - from);
                return executor.executeVoid(insertChunk.bind(blobId, chunk, ByteBuffer.wrap(content, from, length)));
            }, 4)
            .then(Mono.just(blobId));
    }

    /** The bytes of chunks {@code blobId}; an empty array when they were deleted. */
    public Mono<byte[]> read(UUID blobId) {
        return executor.executeRows(readChunks.bind(blobId))
            .map(row -> row.getByteBuffer(DATA))
            .reduce(new ByteArrayOutputStream(), (out, buffer) -> {
                out.writeBytes(QueueStore.bytes(buffer));
                return out;
            })
            .map(ByteArrayOutputStream::toByteArray);
    }

    public Mono<Void> delete(UUID blobId) {
        return executor.executeVoid(deleteBlob.bind(blobId));
    }
}
