package dev.gateway.storage.cassandra;

import static com.datastax.oss.driver.api.querybuilder.QueryBuilder.bindMarker;
import static com.datastax.oss.driver.api.querybuilder.QueryBuilder.insertInto;
import static com.datastax.oss.driver.api.querybuilder.QueryBuilder.update;
import static com.datastax.oss.driver.api.querybuilder.relation.Relation.column;
import static com.datastax.oss.driver.api.querybuilder.update.Assignment.append;
import static com.datastax.oss.driver.api.querybuilder.update.Assignment.setColumn;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageIdTable.SAVE_DATE;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageIdTable.THREAD_ID;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageIds.IMAP_UID;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageIds.MAILBOX_ID;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageIds.MESSAGE_ID;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table.BODY_START_OCTET;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table.FULL_CONTENT_OCTETS;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table.HEADER_CONTENT;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table.INTERNAL_DATE;
import static org.apache.james.mailbox.cassandra.table.Flag.ANSWERED;
import static org.apache.james.mailbox.cassandra.table.Flag.DELETED;
import static org.apache.james.mailbox.cassandra.table.Flag.DRAFT;
import static org.apache.james.mailbox.cassandra.table.Flag.FLAGGED;
import static org.apache.james.mailbox.cassandra.table.Flag.RECENT;
import static org.apache.james.mailbox.cassandra.table.Flag.SEEN;
import static org.apache.james.mailbox.cassandra.table.Flag.USER;
import static org.apache.james.mailbox.cassandra.table.Flag.USER_FLAGS;
import static org.apache.james.mailbox.cassandra.table.MessageIdToImapUid.MOD_SEQ;

import java.time.Duration;

import javax.mail.Flags;
import javax.mail.Flags.Flag;

import org.apache.james.blob.api.BlobId;
import org.apache.james.mailbox.cassandra.ids.CassandraId;
import org.apache.james.mailbox.cassandra.mail.CassandraApplicableFlagDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraMailboxCounterDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraMessageMetadata;
import org.apache.james.mailbox.cassandra.table.CassandraDeletedMessageTable;
import org.apache.james.mailbox.cassandra.table.CassandraFirstUnseenTable;
import org.apache.james.mailbox.cassandra.table.CassandraMailboxRecentsTable;
import org.apache.james.mailbox.cassandra.table.CassandraMessageIdTable;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.google.common.collect.ImmutableSet;

import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import reactor.util.retry.RetryBackoffSpec;

/**
 * The rows a message appended to a mailbox adds beside its own ({@code messageV3}): its {@code imapUidTable} and
 * {@code messageIdTable} rows and the mailbox's indexes (first unseen, recent, deleted), sent to Cassandra as one
 * unlogged batch instead of James 3.8.1's one statement each; then the mailbox's counters and applicable flags, which
 * James writes the same way.
 *
 * <p>Why the batch is safe: every row but {@code imapUidTable}'s has the mailbox as its partition key, so Cassandra
 * applies them as one mutation (one commit-log entry); {@code imapUidTable}'s row, keyed by the message, is a second.
 * The batch is not logged: were the coordinator to die between the two, the state left is one James's own sequence
 * can leave too when it fails half-way (a row without its partner, which James's inconsistency tasks repair), and
 * the append reports a failure, so the message is not acknowledged and is delivered again. A counter cannot share a
 * batch with other writes (Cassandra refuses it), so the counters stay a statement of their own, as in James, whose
 * failure is logged and not an append's failure.
 *
 * <p>The {@code messageIdTable} statement is James's ({@code CassandraMessageIdDAO}), the index inserts are those of
 * James's first-unseen, recents and deleted DAOs; only their grouping is ours. Each row is written once per UID, so
 * the batch is retried as James retries its {@code messageIdTable} insert.
 */
final class AppendRows {

    private static final Logger LOGGER = LoggerFactory.getLogger(AppendRows.class);
    /** How an append's batches are retried (each row is written once per UID, so a batch may be sent again). */
    static final RetryBackoffSpec RETRY = Retry.backoff(5, Duration.ofMillis(10)).maxBackoff(Duration.ofSeconds(1));

    private final CqlSession session;
    private final PlainInsertImapUidDAO imapUids;
    private final CassandraMailboxCounterDAO counters;
    private final CassandraApplicableFlagDAO applicableFlags;
    private final PreparedStatement messageIdRow;
    private final PreparedStatement firstUnseen;
    private final PreparedStatement recent;
    private final PreparedStatement deleted;

    AppendRows(CqlSession session, PlainInsertImapUidDAO imapUids, CassandraMailboxCounterDAO counters,
               CassandraApplicableFlagDAO applicableFlags) {
        this.session = session;
        this.imapUids = imapUids;
        this.counters = counters;
        this.applicableFlags = applicableFlags;
        this.messageIdRow = session.prepare(update(CassandraMessageIdTable.TABLE_NAME)
            .set(setColumn(THREAD_ID, bindMarker(THREAD_ID)),
                setColumn(MESSAGE_ID, bindMarker(MESSAGE_ID)),
                setColumn(MOD_SEQ, bindMarker(MOD_SEQ)),
                setColumn(ANSWERED, bindMarker(ANSWERED)),
                setColumn(DELETED, bindMarker(DELETED)),
                setColumn(DRAFT, bindMarker(DRAFT)),
                setColumn(FLAGGED, bindMarker(FLAGGED)),
                setColumn(RECENT, bindMarker(RECENT)),
                setColumn(SEEN, bindMarker(SEEN)),
                setColumn(USER, bindMarker(USER)),
                setColumn(INTERNAL_DATE, bindMarker(INTERNAL_DATE)),
                setColumn(SAVE_DATE, bindMarker(SAVE_DATE)),
                setColumn(BODY_START_OCTET, bindMarker(BODY_START_OCTET)),
                setColumn(FULL_CONTENT_OCTETS, bindMarker(FULL_CONTENT_OCTETS)),
                setColumn(HEADER_CONTENT, bindMarker(HEADER_CONTENT)),
                append(USER_FLAGS, bindMarker(USER_FLAGS)))
            .where(column(MAILBOX_ID).isEqualTo(bindMarker(MAILBOX_ID)),
                column(IMAP_UID).isEqualTo(bindMarker(IMAP_UID)))
            .build());
        this.firstUnseen = session.prepare(insertInto(CassandraFirstUnseenTable.TABLE_NAME)
            .value(CassandraFirstUnseenTable.MAILBOX_ID, bindMarker(CassandraFirstUnseenTable.MAILBOX_ID))
            .value(CassandraFirstUnseenTable.UID, bindMarker(CassandraFirstUnseenTable.UID))
            .build());
        this.recent = session.prepare(insertInto(CassandraMailboxRecentsTable.TABLE_NAME)
            .value(CassandraMailboxRecentsTable.MAILBOX_ID, bindMarker(CassandraMailboxRecentsTable.MAILBOX_ID))
            .value(CassandraMailboxRecentsTable.RECENT_MESSAGE_UID, bindMarker(CassandraMailboxRecentsTable.RECENT_MESSAGE_UID))
            .build());
        this.deleted = session.prepare(insertInto(CassandraDeletedMessageTable.TABLE_NAME)
            .value(CassandraDeletedMessageTable.MAILBOX_ID, bindMarker(CassandraDeletedMessageTable.MAILBOX_ID))
            .value(CassandraDeletedMessageTable.UID, bindMarker(CassandraDeletedMessageTable.UID))
            .build());
    }

    /** Writes the rows of {@code message}, which has its UID, MODSEQ and save date, stored with its header blob. */
    Mono<Void> write(MailboxMessage message, CassandraId mailboxId, BlobId headerBlobId) {
        CassandraMessageMetadata metadata = CassandraMessageMetadata.from(message, headerBlobId);
        Flags flags = message.createFlags();
        BatchStatement batch = batch(metadata, mailboxId, flags);
        return Mono.fromCompletionStage(() -> session.executeAsync(batch))
            .retryWhen(RETRY)
            .then(Mono.when(countersOnAdd(mailboxId, flags),
                applicableFlags.updateApplicableFlags(mailboxId, ImmutableSet.copyOf(flags.getUserFlags()))));
    }

    private BatchStatement batch(CassandraMessageMetadata metadata, CassandraId mailboxId, Flags flags) {
        long uid = metadata.getComposedMessageId().getComposedMessageId().getUid().asLong();
        BatchStatementBuilder batch = BatchStatement.builder(BatchType.UNLOGGED)
            .addStatement(imapUids.insertStatement(metadata))
            .addStatement(MessageRowValues.bind(messageIdRow.boundStatementBuilder(), metadata).build());
        if (!flags.contains(Flag.SEEN)) {
            batch.addStatement(firstUnseen.bind()
                .setUuid(CassandraFirstUnseenTable.MAILBOX_ID, mailboxId.asUuid())
                .setLong(CassandraFirstUnseenTable.UID, uid));
        }
        if (flags.contains(Flag.RECENT)) {
            batch.addStatement(recent.bind()
                .setUuid(CassandraMailboxRecentsTable.MAILBOX_ID, mailboxId.asUuid())
                .setLong(CassandraMailboxRecentsTable.RECENT_MESSAGE_UID, uid));
        }
        if (flags.contains(Flag.DELETED)) {
            batch.addStatement(deleted.bind()
                .setUuid(CassandraDeletedMessageTable.MAILBOX_ID, mailboxId.asUuid())
                .setLong(CassandraDeletedMessageTable.UID, uid));
        }
        return batch.build();
    }

    /** As James's index handler: a counter that failed is logged, not the append's failure (a recount repairs it). */
    private Mono<Void> countersOnAdd(CassandraId mailboxId, Flags flags) {
        Mono<Void> increment = flags.contains(Flag.SEEN)
            ? counters.incrementCount(mailboxId)
            : counters.incrementUnseenAndCount(mailboxId);
        return increment.onErrorResume(e -> {
            LOGGER.error("Failed incrementing the counters of mailbox {} on an append", mailboxId.serialize(), e);
            return Mono.empty();
        });
    }
}
