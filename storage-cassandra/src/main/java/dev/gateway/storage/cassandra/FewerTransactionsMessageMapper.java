package dev.gateway.storage.cassandra;

import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import javax.mail.Flags;

import org.apache.james.backends.cassandra.init.configuration.CassandraConfiguration;
import org.apache.james.blob.api.BlobStore;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.cassandra.ids.CassandraId;
import org.apache.james.mailbox.cassandra.mail.CassandraApplicableFlagDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraAttachmentMapper;
import org.apache.james.mailbox.cassandra.mail.CassandraDeletedMessageDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraFirstUnseenDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraIndexTableHandler;
import org.apache.james.mailbox.cassandra.mail.CassandraMailboxCounterDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraMailboxRecentsDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraMessageDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraMessageDAOV3;
import org.apache.james.mailbox.cassandra.mail.CassandraMessageIdDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraMessageIdToImapUidDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraMessageMapper;
import org.apache.james.mailbox.cassandra.mail.CassandraMessageMetadata;
import org.apache.james.mailbox.cassandra.mail.task.RecomputeMailboxCountersService;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MessageMetaData;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.UpdatedFlags;
import org.apache.james.mailbox.store.BatchSizes;
import org.apache.james.mailbox.store.FlagsUpdateCalculator;
import org.apache.james.mailbox.store.mail.ModSeqProvider;
import org.apache.james.mailbox.store.mail.UidProvider;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.util.streams.Limit;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * James's Cassandra message mapper with two lightweight transactions fewer, an append in fewer statements, and flag
 * changes retried until they hold:
 * <ul>
 *     <li>an appended message's rows in its mailbox go to Cassandra as one batch ({@link AppendRows}), where James
 *     3.8.1 sends one statement per row, and a small message's content (header and body blobs, {@code messageV3} row)
 *     as one batch before them ({@link MessageContent}), where James sends three;</li>
 *     <li>a message appended or copied gets its UID and its mod-sequence from one transaction
 *     ({@link MailboxSequences}, handed to the providers as {@link AllocatedForAppend}); James 3.8.1 runs one for
 *     each;</li>
 *     <li>clearing {@code \Recent} (every read-write SELECT does it) allocates a new MODSEQ only when some message is
 *     recent. James 3.8.1 allocates the MODSEQ first and only then looks for recent messages, so a SELECT of a
 *     mailbox with none still paid for a MODSEQ that no message got;</li>
 *     <li>a flag change that loses a race with another client's is read again and retried until it holds
 *     ({@link FlagUpdates}); James 3.8.1 retries once and drops it.</li>
 * </ul>
 *
 * <p>Skipping the MODSEQ of a SELECT is safe: when no message is recent nothing changes, so no MODSEQ is due (RFC 7162 raises a
 * mod-sequence with a change, not with a look); when some are, they are reset as James resets them. A message delivered
 * between this look and the next SELECT is recent in the next one, exactly as if the SELECT had come a moment
 * earlier; the recents table this reads is the one James's reset reads first, on any node.
 */
public final class FewerTransactionsMessageMapper extends CassandraMessageMapper {

    private final MailboxSequences sequences;
    private final CappedBackoff backoff;
    private final MessageContent contents;
    private final AppendRows appendRows;
    private final FlagUpdates flagUpdates;
    private final CassandraMessageIdDAO messageIds;
    private final Clock clock;

    FewerTransactionsMessageMapper(MailboxSequences sequences, CappedBackoff backoff, MessageContent contents, AppendRows appendRows,
            FlagUpdates flagUpdates, UidProvider uidProvider,
            ModSeqProvider modSeqProvider, CassandraAttachmentMapper attachmentMapper, CassandraMessageDAO messageDAO,
            CassandraMessageDAOV3 messageDAOV3, CassandraMessageIdDAO messageIdDAO,
            CassandraMessageIdToImapUidDAO imapUidDAO, CassandraMailboxCounterDAO mailboxCounterDAO,
            CassandraMailboxRecentsDAO mailboxRecentDAO, CassandraApplicableFlagDAO applicableFlagDAO,
            CassandraIndexTableHandler indexTableHandler, CassandraFirstUnseenDAO firstUnseenDAO,
            CassandraDeletedMessageDAO deletedMessageDAO, BlobStore blobStore,
            CassandraConfiguration cassandraConfiguration, BatchSizes batchSizes,
            RecomputeMailboxCountersService recomputeMailboxCountersService, Clock clock) {
        super(uidProvider, modSeqProvider, attachmentMapper, messageDAO, messageDAOV3, messageIdDAO, imapUidDAO,
            mailboxCounterDAO, mailboxRecentDAO, applicableFlagDAO, indexTableHandler, firstUnseenDAO, deletedMessageDAO,
            blobStore, cassandraConfiguration, batchSizes, recomputeMailboxCountersService, clock);
        this.sequences = sequences;
        this.backoff = backoff;
        this.contents = contents;
        this.appendRows = appendRows;
        this.flagUpdates = flagUpdates;
        this.messageIds = messageIdDAO;
        this.clock = clock;
    }

    /**
     * James's append, in fewer round trips: the UID and MODSEQ from one transaction, the message's content (its blobs
     * and its row) in one batch when small ({@link MessageContent}), then its mailbox rows in one batch
     * ({@link AppendRows}).
     */
    @Override
    public Mono<MessageMetaData> addReactive(Mailbox mailbox, MailboxMessage message) {
        CassandraId mailboxId = (CassandraId) mailbox.getMailboxId();
        return allocate(mailboxId.asUuid())
            .flatMap(given -> {
                message.setUid(MessageUid.of(given.uid()));
                message.setModSeq(ModSeq.of(given.modSeq()));
                message.setSaveDate(Date.from(clock.instant()));
                return contents.save(message)
                    .flatMap(blobIds -> appendRows.write(message, mailboxId, blobIds.getT1()))
                    .thenReturn(message.metaData());
            });
    }

    /** A copy, and a move (James's moves a message by copying it). */
    @Override
    public Mono<MessageMetaData> copyReactive(Mailbox mailbox, MailboxMessage original) {
        return allocated(mailbox)
            .flatMap(allocated -> super.copyReactive(mailbox, original).contextWrite(allocated::into));
    }

    /** The UID and MODSEQ of a copied message, for James's copy to take from the context. */
    private Mono<AllocatedForAppend> allocated(Mailbox mailbox) {
        UUID id = ((CassandraId) mailbox.getMailboxId()).asUuid();
        return allocate(id).map(given -> new AllocatedForAppend(id, given));
    }

    /** One message's UID and MODSEQ in the mailbox, from one transaction. */
    private Mono<MailboxSequences.Given> allocate(UUID mailbox) {
        return backoff.retry(sequences.advance(mailbox, 1, 1));
    }

    @Override
    public Mono<List<UpdatedFlags>> updateFlagsReactive(Mailbox mailbox, FlagsUpdateCalculator calculator, MessageRange range) {
        CassandraId mailboxId = (CassandraId) mailbox.getMailboxId();
        return flagUpdates.update(mailboxId, messageIds.retrieveMessages(mailboxId, range, Limit.unlimited())
            .map(CassandraMessageMetadata::getComposedMessageId), calculator);
    }

    /** James's reset of {@code \Recent}, through {@link FlagUpdates}, and only when some message is recent. */
    @Override
    public Mono<List<UpdatedFlags>> resetRecentReactive(Mailbox mailbox) {
        CassandraId mailboxId = (CassandraId) mailbox.getMailboxId();
        return findRecentMessageUidsInMailboxReactive(mailbox)
            .flatMap(recent -> recent.isEmpty()
                ? Mono.just(List.<UpdatedFlags>of())
                : flagUpdates.update(mailboxId, Flux.fromIterable(MessageRange.toRanges(recent))
                        .concatMap(range -> messageIds.retrieveMessages(mailboxId, range, Limit.unlimited()))
                        .map(CassandraMessageMetadata::getComposedMessageId)
                        .filter(message -> message.getFlags().contains(Flags.Flag.RECENT)),
                    new FlagsUpdateCalculator(new Flags(Flags.Flag.RECENT), MessageManager.FlagsUpdateMode.REMOVE)));
    }
}
