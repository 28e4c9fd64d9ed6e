package dev.gateway.storage.cassandra;

import java.time.Clock;

import javax.inject.Inject;

import org.apache.james.backends.cassandra.init.configuration.CassandraConfiguration;
import org.apache.james.blob.api.BlobId;
import org.apache.james.blob.api.BlobStore;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.cassandra.CassandraMailboxSessionMapperFactory;
import org.apache.james.mailbox.cassandra.mail.ACLMapper;
import org.apache.james.mailbox.cassandra.mail.CassandraApplicableFlagDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraAttachmentDAOV2;
import org.apache.james.mailbox.cassandra.mail.CassandraAttachmentMapper;
import org.apache.james.mailbox.cassandra.mail.CassandraAttachmentMessageIdDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraDeletedMessageDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraFirstUnseenDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraIndexTableHandler;
import org.apache.james.mailbox.cassandra.mail.CassandraMailboxCounterDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraMailboxDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraMailboxPathV3DAO;
import org.apache.james.mailbox.cassandra.mail.CassandraMailboxRecentsDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraMessageDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraMessageDAOV3;
import org.apache.james.mailbox.cassandra.mail.CassandraMessageIdDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraMessageMapper;
import org.apache.james.mailbox.cassandra.mail.CassandraThreadDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraThreadLookupDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraUserMailboxRightsDAO;
import org.apache.james.mailbox.cassandra.mail.task.RecomputeMailboxCountersService;
import org.apache.james.mailbox.store.BatchSizes;
import org.apache.james.mailbox.store.mail.MailboxMapper;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.ModSeqProvider;
import org.apache.james.mailbox.store.mail.UidProvider;

import com.datastax.oss.driver.api.core.CqlSession;

/**
 * James's Cassandra mapper factory handing out {@link FewerTransactionsMessageMapper} as its message mapper (one
 * instance, as James's factory does) and James's mailbox mapper behind a {@link MailboxLookupCache}
 * ({@link CachingMailboxMapper}); every other mapper is James's. James's constructor and the mailboxes'
 * {@link MailboxSequences}, so Guice builds it from the same DAOs.
 */
public final class FewerTransactionsMapperFactory extends CassandraMailboxSessionMapperFactory {

    private final FewerTransactionsMessageMapper messageMapper;
    private final CachingMailboxMapper mailboxMapper;

    @Inject
    public FewerTransactionsMapperFactory(MailboxSequences sequences, UidProvider uidProvider, ModSeqProvider modSeqProvider, CqlSession session,
                                              CassandraThreadDAO threadDAO, CassandraThreadLookupDAO threadLookupDAO,
                                              CassandraMessageDAO messageDAO,
                                              CassandraMessageDAOV3 messageDAOV3, CassandraMessageIdDAO messageIdDAO,
                                              PlainInsertImapUidDAO imapUidDAO,
                                              CassandraMailboxCounterDAO mailboxCounterDAO, CassandraMailboxRecentsDAO mailboxRecentsDAO,
                                              CassandraMailboxDAO mailboxDAO,
                                              CassandraMailboxPathV3DAO mailboxPathV3DAO, CassandraFirstUnseenDAO firstUnseenDAO,
                                              CassandraApplicableFlagDAO applicableFlagDAO,
                                              CassandraAttachmentDAOV2 attachmentDAOV2, CassandraDeletedMessageDAO deletedMessageDAO,
                                              BlobStore blobStore, CassandraAttachmentMessageIdDAO attachmentMessageIdDAO,
                                              ACLMapper aclMapper,
                                              CassandraUserMailboxRightsDAO userMailboxRightsDAO,
                                              RecomputeMailboxCountersService recomputeMailboxCountersService,
                                              CassandraConfiguration cassandraConfiguration,
                                              BatchSizes batchSizes,
                                              Clock clock,
                                              MailboxLookupCache mailboxLookups,
                                              PartitionPerBlobStoreDAO blobRows,
                                              BlobId.Factory blobIds) {
        super(uidProvider, modSeqProvider, session, threadDAO, threadLookupDAO, messageDAO, messageDAOV3, messageIdDAO,
            imapUidDAO, mailboxCounterDAO, mailboxRecentsDAO, mailboxDAO, mailboxPathV3DAO, firstUnseenDAO, applicableFlagDAO,
            attachmentDAOV2, deletedMessageDAO, blobStore, attachmentMessageIdDAO, aclMapper, userMailboxRightsDAO,
            recomputeMailboxCountersService, cassandraConfiguration, batchSizes, clock);
        // The same parts James's factory gives its message mapper (the index handler and attachment mapper hold no state).
        CassandraIndexTableHandler indexTableHandler = new CassandraIndexTableHandler(mailboxRecentsDAO, mailboxCounterDAO,
            firstUnseenDAO, applicableFlagDAO, deletedMessageDAO);
        CassandraAttachmentMapper attachmentMapper = new CassandraAttachmentMapper(attachmentDAOV2, blobStore, attachmentMessageIdDAO);
        // An append's UID and MODSEQ are retried as its UID alone would be.
        CappedBackoff appendBackoff = CappedBackoff.of("UID and MODSEQ", cassandraConfiguration.getUidMaxRetry());
        AppendRows appendRows = new AppendRows(session, imapUidDAO, mailboxCounterDAO, applicableFlagDAO);
        FlagUpdates flagUpdates = new FlagUpdates(modSeqProvider, messageIdDAO, imapUidDAO, indexTableHandler, cassandraConfiguration);
        MessageContent contents = new MessageContent(session, blobRows, blobIds, blobStore.getDefaultBucketName(), messageDAOV3);
        this.messageMapper = new FewerTransactionsMessageMapper(sequences, appendBackoff, contents, appendRows, flagUpdates, uidProvider, modSeqProvider,
            attachmentMapper, messageDAO, messageDAOV3, messageIdDAO, imapUidDAO, mailboxCounterDAO, mailboxRecentsDAO, applicableFlagDAO, indexTableHandler,
            firstUnseenDAO, deletedMessageDAO, blobStore, cassandraConfiguration, batchSizes, recomputeMailboxCountersService,
            clock);
        this.mailboxMapper = new CachingMailboxMapper(super.getMailboxMapper(null), mailboxLookups);
    }

    @Override
    public MailboxMapper createMailboxMapper(MailboxSession mailboxSession) {
        return mailboxMapper;
    }

    @Override
    public MailboxMapper getMailboxMapper(MailboxSession session) {
        return mailboxMapper;
    }

    @Override
    public CassandraMessageMapper createMessageMapper(MailboxSession mailboxSession) {
        return messageMapper;
    }

    @Override
    public MessageMapper getMessageMapper(MailboxSession session) {
        return messageMapper;
    }
}
