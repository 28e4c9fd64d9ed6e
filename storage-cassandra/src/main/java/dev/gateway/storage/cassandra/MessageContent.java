package dev.gateway.storage.cassandra;

import static com.datastax.oss.driver.api.core.type.DataTypes.TEXT;
import static com.datastax.oss.driver.api.core.type.DataTypes.frozenListOf;
import static com.datastax.oss.driver.api.core.type.DataTypes.frozenMapOf;
import static com.datastax.oss.driver.api.querybuilder.QueryBuilder.bindMarker;
import static com.datastax.oss.driver.api.querybuilder.QueryBuilder.update;
import static com.datastax.oss.driver.api.querybuilder.relation.Relation.column;
import static com.datastax.oss.driver.api.querybuilder.update.Assignment.setColumn;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageIds.MESSAGE_ID;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table.BODY_CONTENT;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table.BODY_OCTECTS;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table.BODY_START_OCTET;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table.FULL_CONTENT_OCTETS;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table.HEADER_CONTENT;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table.INTERNAL_DATE;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table.Properties.CONTENT_DESCRIPTION;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table.Properties.CONTENT_DISPOSITION_PARAMETERS;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table.Properties.CONTENT_DISPOSITION_TYPE;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table.Properties.CONTENT_ID;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table.Properties.CONTENT_LANGUAGE;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table.Properties.CONTENT_LOCATION;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table.Properties.CONTENT_MD5;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table.Properties.CONTENT_TRANSFER_ENCODING;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table.Properties.CONTENT_TYPE_PARAMETERS;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table.Properties.MEDIA_TYPE;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table.Properties.SUB_TYPE;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table.TABLE_NAME;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table.TEXTUAL_LINE_COUNT;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.james.blob.api.BlobId;
import org.apache.james.blob.api.BucketName;
import org.apache.james.mailbox.cassandra.ids.CassandraMessageId;
import org.apache.james.mailbox.cassandra.mail.CassandraMessageDAOV3;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.type.codec.TypeCodec;
import com.datastax.oss.driver.api.core.type.codec.registry.CodecRegistry;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.function.Tuple2;
import reactor.util.function.Tuples;

/**
 * A message's content as the mailboxes keep it: its header and body blobs and its {@code messageV3} row, which names
 * them. James 3.8.1 writes the three one after the other (two blob writes, then the row): three requests per stored
 * message. Here a message without attachments whose header and body are each one blob row and together at most
 * {@link #ONE_REQUEST_MAX_BYTES} goes to Cassandra as one unlogged batch of the same three rows; any other message is
 * stored by James's {@link CassandraMessageDAOV3}, as before.
 *
 * <p>Why this is safe: nothing refers to these rows until the message's mailbox rows are written, after this batch
 * has been applied ({@link AppendRows}). A batch applied in part (its coordinator dying) leaves rows nothing refers to,
 * as James's own sequence does when it stops between its writes, and the append fails, so the message is stored again.
 * Blob ids are content hashes (the blob store's own factory, generation included), so a blob written twice is the
 * same row written twice, and a blob this node saved lately is left out of the batch, as the blob store's save leaves
 * it out ({@link RecentBlobWrites}).
 *
 * <p>Why a bound: Cassandra warns about a batch over several partitions larger than {@code batch_size_warn_threshold}
 * (raised to 64 KiB in cassandra/cassandra.yaml, 5 KiB by default) and refuses one larger than
 * {@code batch_size_fail_threshold} (50 KiB by default): 32 KiB of content and the row stay under the refusal on any
 * Cassandra.
 */
final class MessageContent {

    static final int ONE_REQUEST_MAX_BYTES = 32 * 1024;
    private static final TypeCodec<Map<String, String>> MAP_OF_STRINGS = CodecRegistry.DEFAULT.codecFor(frozenMapOf(TEXT, TEXT));
    private static final TypeCodec<List<String>> LIST_OF_STRINGS = CodecRegistry.DEFAULT.codecFor(frozenListOf(TEXT));

    private final CqlSession session;
    private final PartitionPerBlobStoreDAO blobs;
    private final BlobId.Factory blobIds;
    private final BucketName bucket;
    private final CassandraMessageDAOV3 james;
    private final PreparedStatement messageRow;

    MessageContent(CqlSession session, PartitionPerBlobStoreDAO blobs, BlobId.Factory blobIds, BucketName bucket,
                   CassandraMessageDAOV3 james) {
        this.session = session;
        this.blobs = blobs;
        this.blobIds = blobIds;
        this.bucket = bucket;
        this.james = james;
        // James's messageV3 statement, without the attachments this path never writes.
        this.messageRow = session.prepare(update(TABLE_NAME)
            .set(setColumn(INTERNAL_DATE, bindMarker(INTERNAL_DATE)),
                setColumn(BODY_START_OCTET, bindMarker(BODY_START_OCTET)),
                setColumn(FULL_CONTENT_OCTETS, bindMarker(FULL_CONTENT_OCTETS)),
                setColumn(BODY_OCTECTS, bindMarker(BODY_OCTECTS)),
                setColumn(BODY_CONTENT, bindMarker(BODY_CONTENT)),
                setColumn(HEADER_CONTENT, bindMarker(HEADER_CONTENT)),
                setColumn(CONTENT_DESCRIPTION, bindMarker(CONTENT_DESCRIPTION)),
                setColumn(CONTENT_DISPOSITION_TYPE, bindMarker(CONTENT_DISPOSITION_TYPE)),
                setColumn(MEDIA_TYPE, bindMarker(MEDIA_TYPE)),
                setColumn(SUB_TYPE, bindMarker(SUB_TYPE)),
                setColumn(CONTENT_ID, bindMarker(CONTENT_ID)),
                setColumn(CONTENT_MD5, bindMarker(CONTENT_MD5)),
                setColumn(CONTENT_TRANSFER_ENCODING, bindMarker(CONTENT_TRANSFER_ENCODING)),
                setColumn(CONTENT_LOCATION, bindMarker(CONTENT_LOCATION)),
                setColumn(CONTENT_LANGUAGE, bindMarker(CONTENT_LANGUAGE)),
                setColumn(CONTENT_DISPOSITION_PARAMETERS, bindMarker(CONTENT_DISPOSITION_PARAMETERS)),
                setColumn(CONTENT_TYPE_PARAMETERS, bindMarker(CONTENT_TYPE_PARAMETERS)),
                setColumn(TEXTUAL_LINE_COUNT, bindMarker(TEXTUAL_LINE_COUNT)))
            .where(column(MESSAGE_ID).isEqualTo(bindMarker(MESSAGE_ID)))
            .build());
    }

    /** Stores the message's content; gives its header and body blob ids. */
    Mono<Tuple2<BlobId, BlobId>> save(MailboxMessage message) {
        if (!inOneRequest(message)) {
            return james.save(message);
        }
        return Mono.fromCallable(() -> Tuples.of(header(message), body(message)))
            .flatMap(content -> {
                if (!blobs.fitsOneRow(content.getT1().length) || !blobs.fitsOneRow(content.getT2().length)) {
                    // The message's sizes said otherwise: James's way, which reads it again.
                    return james.save(message);
                }
                BlobId header = blobIds.forPayload(content.getT1());
                BlobId body = blobIds.forPayload(content.getT2());
                // A blob this node saved lately has no insert: the queue saved the body of a mail being delivered.
                return Flux.concat(blobs.oneRowInsert(bucket, header, content.getT1()),
                        blobs.oneRowInsert(bucket, body, content.getT2()))
                    .collectList()
                    .map(inserts -> BatchStatement.builder(BatchType.UNLOGGED)
                        .addStatements(inserts.toArray(BatchableStatement[]::new))
                        .addStatement(row(message, header, body))
                        .build())
                    .flatMap(batch -> Mono.fromCompletionStage(() -> session.executeAsync(batch))
                        .retryWhen(AppendRows.RETRY))
                    .then(Mono.fromRunnable(() -> blobs.savedInBatch(bucket, header, body)))
                    .thenReturn(Tuples.of(header, body));
            });
    }

    private boolean inOneRequest(MailboxMessage message) {
        return message.getAttachments().isEmpty()
            && message.getHeaderOctets() + message.getBodyOctets() <= ONE_REQUEST_MAX_BYTES
            && blobs.fitsOneRow(message.getHeaderOctets())
            && blobs.fitsOneRow(message.getBodyOctets());
    }

    private BoundStatement row(MailboxMessage message, BlobId header, BlobId body) {
        return messageRow.bind()
            .setUuid(MESSAGE_ID, ((CassandraMessageId) message.getMessageId()).get())
            .setInstant(INTERNAL_DATE, message.getInternalDate().toInstant())
            .setInt(BODY_START_OCTET, Math.toIntExact(message.getHeaderOctets()))
            .setLong(FULL_CONTENT_OCTETS, message.getFullContentOctets())
            .setLong(BODY_OCTECTS, message.getBodyOctets())
            .setString(BODY_CONTENT, body.asString())
            .setString(HEADER_CONTENT, header.asString())
            .setLong(TEXTUAL_LINE_COUNT, Optional.ofNullable(message.getTextualLineCount()).orElse(CassandraMessageDAOV3.DEFAULT_LONG_VALUE))
            .setString(CONTENT_DESCRIPTION, message.getProperties().getContentDescription())
            .setString(CONTENT_DISPOSITION_TYPE, message.getProperties().getContentDispositionType())
            .setString(MEDIA_TYPE, message.getProperties().getMediaType())
            .setString(SUB_TYPE, message.getProperties().getSubType())
            .setString(CONTENT_ID, message.getProperties().getContentID())
            .setString(CONTENT_MD5, message.getProperties().getContentMD5())
            .setString(CONTENT_TRANSFER_ENCODING, message.getProperties().getContentTransferEncoding())
            .setString(CONTENT_LOCATION, message.getProperties().getContentLocation())
            .set(CONTENT_LANGUAGE, message.getProperties().getContentLanguage(), LIST_OF_STRINGS)
            .set(CONTENT_DISPOSITION_PARAMETERS, message.getProperties().getContentDispositionParameters(), MAP_OF_STRINGS)
            .set(CONTENT_TYPE_PARAMETERS, message.getProperties().getContentTypeParameters(), MAP_OF_STRINGS);
    }

    /** The header's octets, read as James reads them (its stream may run on past them). */
    private static byte[] header(MailboxMessage message) throws IOException {
        try (InputStream in = message.getHeaderContent()) {
            byte[] header = in.readNBytes(Math.toIntExact(message.getHeaderOctets()));
            if (header.length != message.getHeaderOctets()) {
                throw new IOException("the header of message " + message.getMessageId().serialize() + " has "
                    + header.length + " bytes, not " + message.getHeaderOctets());
            }
            return header;
        }
    }

    /** The whole body stream, as James stores it. */
    private static byte[] body(MailboxMessage message) throws IOException {
        try (InputStream in = message.getBodyContent()) {
            return in.readAllBytes();
        }
    }
}
