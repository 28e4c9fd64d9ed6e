package dev.gateway.storage.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Date;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import javax.mail.Flags;

import org.apache.james.backends.cassandra.components.CassandraModule;
import org.apache.james.backends.cassandra.init.CassandraTypesProvider;
import org.apache.james.backends.cassandra.init.configuration.CassandraConfiguration;
import org.apache.james.backends.cassandra.versions.CassandraSchemaVersionManager;
import org.apache.james.backends.cassandra.versions.CassandraSchemaVersionModule;
import org.apache.james.blob.api.BlobId;
import org.apache.james.blob.api.BlobStore;
import org.apache.james.blob.api.BucketName;
import org.apache.james.blob.api.HashBlobId;
import org.apache.james.blob.cassandra.CassandraBlobModule;
import org.apache.james.blob.cassandra.CassandraBlobStoreDAO;
import org.apache.james.blob.cassandra.CassandraBucketDAO;
import org.apache.james.blob.cassandra.CassandraDefaultBucketDAO;
import org.apache.james.core.Username;
import org.apache.james.eventsourcing.eventstore.cassandra.CassandraEventStore;
import org.apache.james.eventsourcing.eventstore.cassandra.CassandraEventStoreModule;
import org.apache.james.eventsourcing.eventstore.cassandra.EventStoreDao;
import org.apache.james.eventsourcing.eventstore.cassandra.JsonEventSerializer;
import org.apache.james.mailbox.FlagsBuilder;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MailboxSessionUtil;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.cassandra.ids.CassandraId;
import org.apache.james.mailbox.cassandra.ids.CassandraMessageId;
import org.apache.james.mailbox.cassandra.mail.ACLMapper;
import org.apache.james.mailbox.cassandra.mail.CassandraACLDAOV2;
import org.apache.james.mailbox.cassandra.mail.CassandraACLMapper;
import org.apache.james.mailbox.cassandra.mail.CassandraMessageIdToImapUidDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraUserMailboxRightsDAO;
import org.apache.james.mailbox.cassandra.mail.eventsourcing.acl.ACLModule;
import org.apache.james.mailbox.cassandra.modules.CassandraAclModule;
import org.apache.james.mailbox.cassandra.modules.CassandraAnnotationModule;
import org.apache.james.mailbox.cassandra.modules.CassandraApplicableFlagsModule;
import org.apache.james.mailbox.cassandra.modules.CassandraAttachmentModule;
import org.apache.james.mailbox.cassandra.modules.CassandraDeletedMessageModule;
import org.apache.james.mailbox.cassandra.modules.CassandraFirstUnseenModule;
import org.apache.james.mailbox.cassandra.modules.CassandraMailboxCounterModule;
import org.apache.james.mailbox.cassandra.modules.CassandraMailboxModule;
import org.apache.james.mailbox.cassandra.modules.CassandraMailboxRecentsModule;
import org.apache.james.mailbox.cassandra.modules.CassandraMessageModule;
import org.apache.james.mailbox.cassandra.modules.CassandraModSeqModule;
import org.apache.james.mailbox.cassandra.modules.CassandraSubscriptionModule;
import org.apache.james.mailbox.cassandra.modules.CassandraThreadModule;
import org.apache.james.mailbox.cassandra.modules.CassandraUidModule;
import org.apache.james.mailbox.cassandra.table.CassandraMailboxRecentsTable;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageMetaData;
import org.apache.james.mailbox.store.BatchSizes;
import org.apache.james.mailbox.store.mail.AttachmentMapper;
import org.apache.james.mailbox.store.mail.MailboxMapper;
import org.apache.james.mailbox.store.mail.MessageIdMapper;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.MessageMapper.FetchType;
import org.apache.james.mailbox.store.mail.ModSeqProvider;
import org.apache.james.mailbox.store.mail.UidProvider;
import org.apache.james.mailbox.store.mail.model.MapperProvider;
import org.apache.james.mailbox.store.mail.model.MessageMapperTest;
import org.apache.james.events.InVMEventBus;
import org.apache.james.events.MemoryEventDeadLetters;
import org.apache.james.events.RetryBackoffConfiguration;
import org.apache.james.events.delivery.InVmEventDelivery;
import org.apache.james.mailbox.model.ByteContent;
import org.apache.james.mailbox.store.mail.model.impl.PropertyBuilder;
import org.apache.james.mailbox.store.mail.model.impl.SimpleMailboxMessage;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.mailbox.model.ThreadId;
import org.apache.james.metrics.dropwizard.DropWizardMetricFactory;
import org.apache.james.server.blob.deduplication.DeDuplicationBlobStore;
import org.apache.james.utils.UpdatableTickingClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.codahale.metrics.MetricRegistry;
import com.datastax.oss.driver.api.core.CqlSession;
import com.google.common.collect.ImmutableList;
import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Provides;
import com.google.inject.Singleton;

import dev.gateway.queue.cassandra.CassandraCounts;
import dev.gateway.queue.cassandra.CassandraExtension;

/**
 * James's whole contract of a message mapper ({@code MessageMapperTest} from James's mailbox-store test-jar: append,
 * copy, move, flags, recent, unseen and counters, expunge, concurrent flag updates) run on a real Cassandra against
 * the mapper the cluster profile uses, {@link FewerTransactionsMessageMapper}: its UID and MODSEQ from
 * {@link MailboxSequences}, its {@code imapUidTable} rows from {@link PlainInsertImapUidDAO} and an appended message's
 * rows batched by {@link AppendRows}; the blobs in {@link PartitionPerBlobStoreDAO} behind James's deduplication, as
 * the server wires them.
 */
class FewerTransactionsMessageMapperIT extends MessageMapperTest {

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    private static final CassandraConfiguration CONFIGURATION = CassandraConfiguration.DEFAULT_CONFIGURATION;
    private static CqlSession session;

    private UpdatableTickingClock clock;

    @BeforeAll
    static void openSession() {
        session = MailboxKeyspaces.open(CASSANDRA.server(), "fewer_transactions_mapper", CassandraModule.aggregateModules(
            CassandraSchemaVersionModule.MODULE, CassandraAclModule.MODULE, CassandraAttachmentModule.MODULE,
            CassandraMailboxModule.MODULE, CassandraMessageModule.MODULE, CassandraMailboxCounterModule.MODULE,
            CassandraApplicableFlagsModule.MODULE, CassandraDeletedMessageModule.MODULE, CassandraFirstUnseenModule.MODULE,
            CassandraMailboxRecentsModule.MODULE, CassandraModSeqModule.MODULE, CassandraUidModule.MODULE,
            MailboxSequences.MODULE, CassandraThreadModule.MODULE, CassandraBlobModule.MODULE,
            PartitionPerBlobStoreDAO.MODULE, CassandraEventStoreModule.MODULE(), CassandraSubscriptionModule.MODULE,
            CassandraAnnotationModule.MODULE));
    }

    @AfterAll
    static void closeSession() {
        session.close();
    }

    /** Every test creates its mailboxes under the same names; each mailbox's other rows are under its new id. */
    @AfterEach
    void forgetMailboxNames() {
        session.execute("TRUNCATE mailboxPathV3");
    }

    @Override
    protected MapperProvider createMapperProvider() {
        clock = new UpdatableTickingClock(Instant.now());
        return new Provider(clock, lease());
    }

    /** What the node's sequences may do: here never hold the lease, one transaction per allocation. */
    protected SequencesLease lease() {
        return SequencesLease.SHARED;
    }

    @Override
    protected UpdatableTickingClock updatableTickingClock() {
        return clock;
    }

    /**
     * What the contract reads only in part: a delivered message's rows in every table of the batch (its
     * {@code imapUidTable} row found by message id, as moves find it; its unseen and \Recent index rows), and no
     * deleted row.
     */
    @Test
    void anAppendedMessageHasEveryRowOfTheBatch() throws Exception {
        message1.setFlags(new Flags(Flags.Flag.RECENT)); // as James's message manager appends a delivered message
        MessageMetaData appended = messageMapper.add(benwaInboxMailbox, message1);
        UUID mailbox = ((CassandraId) benwaInboxMailbox.getMailboxId()).asUuid();

        assertThat(mapperProvider.createMessageIdMapper().find(List.of(message1.getMessageId()), FetchType.METADATA))
            .singleElement()
            .satisfies(found -> {
                assertThat(found.getUid()).isEqualTo(appended.getUid());
                assertThat(found.getModSeq()).isEqualTo(appended.getModSeq());
                assertThat(found.getMailboxId()).isEqualTo(benwaInboxMailbox.getMailboxId());
            });
        assertThat(session.execute("SELECT uid FROM firstUnseen WHERE mailboxId = ?", mailbox).one().getLong("uid"))
            .isEqualTo(appended.getUid().asLong());
        // James's column is spelled "recent_mesage_uid": its constant, not the word.
        assertThat(session.execute("SELECT " + CassandraMailboxRecentsTable.RECENT_MESSAGE_UID.asCql(true)
                + " FROM mailboxRecents WHERE mailboxId = ?", mailbox).one()
            .getLong(CassandraMailboxRecentsTable.RECENT_MESSAGE_UID)).isEqualTo(appended.getUid().asLong());
        assertThat(session.execute("SELECT uid FROM messageDeleted WHERE mailboxId = ?", mailbox).all()).isEmpty();
    }

    /** A message appended already \Deleted and \Seen (IMAP's APPEND with flags): deleted row, no unseen row. */
    @Test
    void aMessageAppendedDeletedAndSeenIsIndexedSo() throws Exception {
        message1.setFlags(new FlagsBuilder().add(Flags.Flag.DELETED, Flags.Flag.SEEN).build());
        MessageMetaData appended = messageMapper.add(benwaInboxMailbox, message1);
        UUID mailbox = ((CassandraId) benwaInboxMailbox.getMailboxId()).asUuid();

        assertThat(session.execute("SELECT uid FROM messageDeleted WHERE mailboxId = ?", mailbox).one().getLong("uid"))
            .isEqualTo(appended.getUid().asLong());
        assertThat(session.execute("SELECT uid FROM firstUnseen WHERE mailboxId = ?", mailbox).all()).isEmpty();
        assertThat(messageMapper.getMailboxCounters(benwaInboxMailbox).getUnseen()).isZero();
        assertThat(messageMapper.getMailboxCounters(benwaInboxMailbox).getCount()).isEqualTo(1);
    }

    /**
     * A small message's content (header and body blobs, {@code messageV3} row) is one request, where James sends three;
     * a message over {@link MessageContent#ONE_REQUEST_MAX_BYTES} is stored as James stores it. Both are read back
     * byte for byte. The requests are Cassandra's own count for this class's connections
     * ({@code system_views.clients}), so the rest of the append (transaction, mailbox rows, counters) cancels out.
     */
    @Test
    void aSmallMessagesContentIsOneRequestAndALargerOnesThree() throws Exception {
        messageMapper.add(benwaInboxMailbox, message1); // the mailbox's sequence row and the blob bucket, once
        Map<String, String> contents = new LinkedHashMap<>();
        contents.put("small", "Subject: small\r\n\r\n" + "a small body\r\n".repeat(100));
        contents.put("large", "Subject: large\r\n\r\n" + "a body over the bound of one request\r\n".repeat(1000));
        assertThat(contents.get("large").length()).isGreaterThan(MessageContent.ONE_REQUEST_MAX_BYTES)
            .isLessThan(CONFIGURATION.getBlobPartSize()); // one blob row each, as the small one's
        Map<String, MailboxMessage> appended = new HashMap<>();
        Map<String, Long> requests = new HashMap<>();
        for (Map.Entry<String, String> content : contents.entrySet()) {
            MessageId id = mapperProvider.generateMessageId();
            byte[] bytes = content.getValue().getBytes(StandardCharsets.US_ASCII);
            MailboxMessage message = new SimpleMailboxMessage(id, ThreadId.fromBaseMessageId(id), new Date(), bytes.length,
                content.getValue().indexOf("\r\n\r\n") + 4, new ByteContent(bytes), new Flags(), new PropertyBuilder().build(),
                benwaInboxMailbox.getMailboxId());
            long before = requestsOfThisKeyspace();
            messageMapper.add(benwaInboxMailbox, message);
            requests.put(content.getKey(), requestsOfThisKeyspace() - before);
            appended.put(content.getKey(), message);
        }

        assertThat(requests.get("large") - requests.get("small")).as("requests of each append: %s", requests).isEqualTo(2);
        for (Map.Entry<String, MailboxMessage> message : appended.entrySet()) {
            MailboxMessage read = mapperProvider.createMessageIdMapper()
                .find(List.of(message.getValue().getMessageId()), FetchType.FULL).get(0);
            assertThat(new String(read.getFullContent().readAllBytes(), StandardCharsets.US_ASCII)).as(message.getKey())
                .isEqualTo(contents.get(message.getKey()));
            assertThat(read.getHeaderOctets()).isEqualTo(message.getValue().getHeaderOctets());
        }
    }

    /** Requests Cassandra has been sent on the connections bound to this class's keyspace, read on another session. */
    private static long requestsOfThisKeyspace() {
        try (CqlSession counting = CqlSession.builder()
                .addContactPoint(new java.net.InetSocketAddress("127.0.0.1", CASSANDRA.server().port()))
                .withLocalDatacenter("datacenter1").build()) {
            return CassandraCounts.requests(counting, session.getKeyspace().orElseThrow().asInternal());
        }
    }

    /** The mappers as the cluster profile builds them (CassandraMailboxStoreModule), on this class's keyspace. */
    private static final class Provider implements MapperProvider {

        private final MailboxSession mailboxSession = MailboxSessionUtil.create(Username.of("benwa"));
        private final FewerTransactionsMapperFactory factory;
        private final MailboxSequences sequences;
        private final UidProvider uids;
        private final ModSeqProvider modSeqs;
        private long lastUid;

        Provider(UpdatableTickingClock clock, SequencesLease lease) {
            sequences = new MailboxSequences(session, lease);
            uids = CounterUidProvider.of(sequences, CONFIGURATION);
            modSeqs = CounterModSeqProvider.of(sequences, CONFIGURATION);
            factory = Guice.createInjector(new AbstractModule() {
                @Override
                protected void configure() {
                    bind(CqlSession.class).toInstance(session);
                    bind(CassandraTypesProvider.class).toInstance(new CassandraTypesProvider(session));
                    bind(CassandraConfiguration.class).toInstance(CONFIGURATION);
                    bind(java.time.Clock.class).toInstance(clock);
                    bind(BatchSizes.class).toInstance(BatchSizes.defaultValues());
                    bind(MessageId.Factory.class).to(CassandraMessageId.Factory.class);
                    bind(BlobId.Factory.class).toInstance(new HashBlobId.Factory());
                    bind(MailboxSequences.class).toInstance(sequences);
                    bind(UidProvider.class).toInstance(uids);
                    bind(ModSeqProvider.class).toInstance(modSeqs);
                    bind(CassandraMessageIdToImapUidDAO.class).to(PlainInsertImapUidDAO.class);
                }

                @Provides
                @Singleton
                PartitionPerBlobStoreDAO blobRows(BlobId.Factory blobIds) {
                    CassandraBlobStoreDAO james = new CassandraBlobStoreDAO(new CassandraDefaultBucketDAO(session, blobIds),
                        new CassandraBucketDAO(blobIds, session), CONFIGURATION, BucketName.DEFAULT,
                        new DropWizardMetricFactory(new MetricRegistry()));
                    return new PartitionPerBlobStoreDAO(session, james, blobIds, CONFIGURATION.getBlobPartSize());
                }

                @Provides
                @Singleton
                BlobStore blobStore(PartitionPerBlobStoreDAO blobRows, BlobId.Factory blobIds) {
                    return new DeDuplicationBlobStore(blobRows, BucketName.DEFAULT, blobIds);
                }

                @Provides
                @Singleton
                MailboxLookupCache mailboxLookups() {
                    InVMEventBus bus = new InVMEventBus(new InVmEventDelivery(new DropWizardMetricFactory(new MetricRegistry())),
                        RetryBackoffConfiguration.DEFAULT, new MemoryEventDeadLetters());
                    return new MailboxLookupCache(() -> bus, java.time.Duration.ofSeconds(5), 100);
                }

                @Provides
                @Singleton
                ACLMapper aclMapper(CassandraACLMapper.StoreV1 storeV1, CassandraUserMailboxRightsDAO rights,
                                    CassandraACLDAOV2 aclDao, CassandraSchemaVersionManager versions) {
                    CassandraEventStore events = new CassandraEventStore(
                        new EventStoreDao(session, JsonEventSerializer.forModules(ACLModule.ACL_UPDATE).withoutNestedType()));
                    return new CassandraACLMapper(storeV1, new CassandraACLMapper.StoreV2(rights, aclDao, events),
                        versions, CONFIGURATION);
                }
            }).getInstance(FewerTransactionsMapperFactory.class);
        }

        @Override
        public List<Capabilities> getSupportedCapabilities() {
            return ImmutableList.copyOf(Capabilities.values());
        }

        @Override
        public MailboxMapper createMailboxMapper() {
            return factory.getMailboxMapper(mailboxSession);
        }

        @Override
        public MessageMapper createMessageMapper() {
            return factory.getMessageMapper(mailboxSession);
        }

        @Override
        public MessageIdMapper createMessageIdMapper() {
            return factory.getMessageIdMapper(mailboxSession);
        }

        @Override
        public AttachmentMapper createAttachmentMapper() {
            return factory.createAttachmentMapper(mailboxSession);
        }

        @Override
        public MailboxId generateId() {
            return CassandraId.timeBased();
        }

        /** UIDs for messages the test builds itself (James's provider counts from 1 the same way). */
        @Override
        public MessageUid generateMessageUid() {
            return MessageUid.of(++lastUid);
        }

        @Override
        public ModSeq generateModSeq(Mailbox mailbox) throws MailboxException {
            return modSeqs.nextModSeq(mailbox);
        }

        @Override
        public ModSeq highestModSeq(Mailbox mailbox) throws MailboxException {
            return modSeqs.highestModSeq(mailbox);
        }

        @Override
        public boolean supportPartialAttachmentFetch() {
            return true;
        }

        @Override
        public MessageId generateMessageId() {
            return new CassandraMessageId.Factory().generate();
        }
    }
}
