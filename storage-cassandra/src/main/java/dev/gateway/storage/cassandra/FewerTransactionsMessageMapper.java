package dev.gateway.storage.cassandra;

import java.time.Clock;
import java.util.List;
import java.util.UUID;

import org.apache.james.backends.cassandra.init.configuration.CassandraConfiguration;
import org.apache.james.blob.api.BlobStore;
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
import org.apache.james.mailbox.cassandra.mail.task.RecomputeMailboxCountersService;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MessageMetaData;
import org.apache.james.mailbox.model.UpdatedFlags;
import org.apache.james.mailbox.store.BatchSizes;
import org.apache.james.mailbox.store.mail.ModSeqProvider;
import org.apache.james.mailbox.store.mail.UidProvider;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;

import reactor.core.publisher.Mono;

/**
 * James's Cassandra message mapper with two lightweight transactions fewer:
 * <ul>
 *     <li>a message appended or copied gets its UID and its mod-sequence from one transaction
 *     ({@link MailboxSequences}, handed to the providers as {@link AllocatedForAppend}); James 3.8.1 runs one for
 *     each;</li>
 *     <li>clearing {@code \Recent} (every read-write SELECT does it) allocates a new MODSEQ only when some message is
 *     recent. James 3.8.1 allocates the MODSEQ first and only then looks for recent messages, so a SELECT of a
 *     mailbox with none still paid for a MODSEQ that no message got.</li>
 * </ul>
 *
 * <p>The second is safe: when no message is recent nothing changes, so no MODSEQ is due (RFC 7162 raises a
 * mod-sequence with a change, not with a look); when some are, James's own reset runs as before. A message delivered
 * between this look and the next SELECT is recent in the next one, exactly as if the SELECT had come a moment
 * earlier; the recents table this reads is the one James's reset reads first, on any node.
 */
public final class FewerTransactionsMessageMapper extends CassandraMessageMapper {

    private final MailboxSequences sequences;
    private final CappedBackoff backoff;

    FewerTransactionsMessageMapper(MailboxSequences sequences, CappedBackoff backoff, UidProvider uidProvider,
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
    }

    @Override
    public Mono<MessageMetaData> addReactive(Mailbox mailbox, MailboxMessage message) {
        return allocated(mailbox)
            .flatMap(allocated -> super.addReactive(mailbox, message).contextWrite(allocated::into));
    }

    /** A copy, and a move (James's moves a message by copying it). */
    @Override
    public Mono<MessageMetaData> copyReactive(Mailbox mailbox, MailboxMessage original) {
        return allocated(mailbox)
            .flatMap(allocated -> super.copyReactive(mailbox, original).contextWrite(allocated::into));
    }

    /** The message's UID and MODSEQ in one transaction, for James's append to take from the context. */
    private Mono<AllocatedForAppend> allocated(Mailbox mailbox) {
        UUID id = ((CassandraId) mailbox.getMailboxId()).asUuid();
        return backoff.retry(sequences.advance(id, 1, 1)).map(given -> new AllocatedForAppend(id, given));
    }

    @Override
    public Mono<List<UpdatedFlags>> resetRecentReactive(Mailbox mailbox) {
        return findRecentMessageUidsInMailboxReactive(mailbox)
            .flatMap(recent -> recent.isEmpty() ? Mono.just(List.<UpdatedFlags>of()) : super.resetRecentReactive(mailbox));
    }
}
