package dev.gateway.storage.cassandra.guice;

import static org.apache.james.modules.Names.MAILBOXMANAGER_NAME;

import java.io.FileNotFoundException;
import java.time.Clock;
import java.time.Duration;

import javax.inject.Inject;
import javax.inject.Named;
import javax.inject.Provider;
import javax.inject.Singleton;

import org.apache.commons.configuration2.Configuration;
import org.apache.james.events.EventBus;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.adapter.mailbox.ACLUsernameChangeTaskStep;
import org.apache.james.adapter.mailbox.MailboxUsernameChangeTaskStep;
import org.apache.james.adapter.mailbox.QuotaUsernameChangeTaskStep;
import org.apache.james.adapter.mailbox.UserRepositoryAuthenticator;
import org.apache.james.backends.cassandra.components.CassandraModule;
import org.apache.james.backends.cassandra.init.configuration.CassandraConfiguration;
import org.apache.james.backends.cassandra.versions.CassandraSchemaVersionManager;
import org.apache.james.blob.api.BlobId;
import org.apache.james.blob.api.BlobReferenceSource;
import org.apache.james.blob.api.BlobStore;
import org.apache.james.blob.api.BlobStoreDAO;
import org.apache.james.blob.api.BucketName;
import org.apache.james.blob.api.HashBlobId;
import org.apache.james.blob.cassandra.CassandraBlobModule;
import org.apache.james.blob.cassandra.CassandraBlobStoreDAO;
import org.apache.james.events.EventListener;
import org.apache.james.eventsourcing.eventstore.cassandra.CassandraEventStore;
import org.apache.james.eventsourcing.eventstore.cassandra.EventStoreDao;
import org.apache.james.eventsourcing.eventstore.cassandra.JsonEventSerializer;
import org.apache.james.filesystem.api.JamesDirectoriesProvider;
import org.apache.james.jmap.api.change.EmailChangeRepository;
import org.apache.james.jmap.api.change.Limit;
import org.apache.james.jmap.api.change.MailboxChangeRepository;
import org.apache.james.jmap.api.change.State;
import org.apache.james.jmap.cassandra.change.CassandraEmailChangeRepository;
import org.apache.james.jmap.cassandra.change.CassandraEmailChangeModule;
import org.apache.james.jmap.cassandra.change.CassandraMailboxChangeModule;
import org.apache.james.jmap.cassandra.change.CassandraMailboxChangeRepository;
import org.apache.james.jmap.cassandra.change.CassandraStateFactory;
import org.apache.james.mailbox.AttachmentContentLoader;
import org.apache.james.mailbox.AttachmentManager;
import org.apache.james.mailbox.Authenticator;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxPathLocker;
import org.apache.james.mailbox.MessageIdManager;
import org.apache.james.mailbox.RightManager;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.SubscriptionManager;
import org.apache.james.mailbox.cassandra.CassandraMailboxManager;
import org.apache.james.mailbox.cassandra.CassandraMailboxSessionMapperFactory;
import org.apache.james.mailbox.cassandra.DeleteMessageListener;
import org.apache.james.mailbox.cassandra.ids.CassandraId;
import org.apache.james.mailbox.cassandra.ids.CassandraMessageId;
import org.apache.james.mailbox.cassandra.mail.ACLMapper;
import org.apache.james.mailbox.cassandra.mail.AttachmentBlobReferenceSource;
import org.apache.james.mailbox.cassandra.mail.CassandraACLDAOV2;
import org.apache.james.mailbox.cassandra.mail.CassandraMessageIdToImapUidDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraACLMapper;
import org.apache.james.mailbox.cassandra.mail.CassandraUserMailboxRightsDAO;
import org.apache.james.mailbox.cassandra.mail.MessageBlobReferenceSource;
import org.apache.james.mailbox.cassandra.mail.eventsourcing.acl.ACLModule;
import org.apache.james.mailbox.cassandra.modules.CassandraAclModule;
import org.apache.james.mailbox.cassandra.modules.CassandraAnnotationModule;
import org.apache.james.mailbox.cassandra.modules.CassandraApplicableFlagsModule;
import org.apache.james.mailbox.cassandra.modules.CassandraAttachmentModule;
import org.apache.james.mailbox.cassandra.modules.CassandraDeletedMessageModule;
import org.apache.james.mailbox.cassandra.modules.CassandraFirstUnseenModule;
import org.apache.james.mailbox.cassandra.modules.CassandraMailboxCounterModule;
import org.apache.james.mailbox.cassandra.modules.CassandraMailboxRecentsModule;
import org.apache.james.mailbox.cassandra.modules.CassandraMessageModule;
import org.apache.james.mailbox.cassandra.modules.CassandraModSeqModule;
import org.apache.james.mailbox.cassandra.modules.CassandraQuotaModule;
import org.apache.james.mailbox.cassandra.modules.CassandraSubscriptionModule;
import org.apache.james.mailbox.cassandra.modules.CassandraThreadModule;
import org.apache.james.mailbox.cassandra.modules.CassandraUidModule;
import org.apache.james.mailbox.cassandra.quota.CassandraCurrentQuotaManager;
import org.apache.james.mailbox.cassandra.quota.CassandraPerUserMaxQuotaManager;
import org.apache.james.mailbox.extractor.TextExtractor;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.quota.CurrentQuotaManager;
import org.apache.james.mailbox.quota.MaxQuotaManager;
import org.apache.james.mailbox.quota.QuotaManager;
import org.apache.james.mailbox.quota.QuotaRootDeserializer;
import org.apache.james.mailbox.quota.QuotaRootResolver;
import org.apache.james.mailbox.quota.UserQuotaRootResolver;
import org.apache.james.mailbox.store.MailboxManagerConfiguration;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.store.NoMailboxPathLocker;
import org.apache.james.mailbox.store.SessionProviderImpl;
import org.apache.james.mailbox.store.StoreAttachmentManager;
import org.apache.james.mailbox.store.StoreMailboxManager;
import org.apache.james.mailbox.store.StoreMessageIdManager;
import org.apache.james.mailbox.store.StoreRightManager;
import org.apache.james.mailbox.store.StoreSubscriptionManager;
import org.apache.james.mailbox.store.event.MailboxAnnotationListener;
import org.apache.james.mailbox.store.extractor.JsoupTextExtractor;
import org.apache.james.mailbox.store.mail.AttachmentMapperFactory;
import org.apache.james.mailbox.store.mail.MailboxMapperFactory;
import org.apache.james.mailbox.store.mail.MessageMapperFactory;
import org.apache.james.mailbox.store.mail.ModSeqProvider;
import org.apache.james.mailbox.store.mail.NaiveThreadIdGuessingAlgorithm;
import org.apache.james.mailbox.store.mail.ThreadIdGuessingAlgorithm;
import org.apache.james.mailbox.store.mail.UidProvider;
import org.apache.james.mailbox.store.mail.model.impl.MessageParser;
import org.apache.james.mailbox.store.quota.DefaultUserQuotaRootResolver;
import org.apache.james.mailbox.store.quota.NoQuotaManager;
import org.apache.james.mailbox.store.quota.NoQuotaUpdater;
import org.apache.james.mailbox.store.quota.QuotaUpdater;
import org.apache.james.mailbox.store.search.MessageSearchIndex;
import org.apache.james.mailbox.store.search.SimpleMessageSearchIndex;
import org.apache.james.mailbox.store.user.SubscriptionMapperFactory;
import org.apache.james.modules.mailbox.DefaultEventModule;
import org.apache.james.modules.mailbox.MemoryDeadLetterModule;
import org.apache.james.modules.mailbox.MemoryQuotaSearchModule;
import org.apache.james.server.blob.deduplication.DeDuplicationBlobStore;
import org.apache.james.server.blob.deduplication.GenerationAwareBlobId;
import org.apache.james.user.api.UsernameChangeTaskStep;
import org.apache.james.util.Size;
import org.apache.james.utils.PropertiesProvider;
import org.apache.james.utils.MailboxManagerDefinition;

import com.datastax.oss.driver.api.core.CqlSession;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.name.Names;

import dev.gateway.queue.cassandra.NodeIdentity;
import dev.gateway.storage.cassandra.AttachmentsLeftInTheMessage;
import dev.gateway.storage.cassandra.CounterModSeqProvider;
import dev.gateway.storage.cassandra.CounterUidProvider;
import dev.gateway.storage.cassandra.KeyspaceSequencesLease;
import dev.gateway.storage.cassandra.MailboxLookupCache;
import dev.gateway.storage.cassandra.MailboxSequences;
import dev.gateway.storage.cassandra.PartitionPerBlobStoreDAO;
import dev.gateway.storage.cassandra.RecentBlobWrites;
import dev.gateway.storage.cassandra.PlainInsertImapUidDAO;
import dev.gateway.storage.cassandra.SequencesLease;
import dev.gateway.storage.cassandra.FewerTransactionsMapperFactory;
import dev.gateway.storage.cassandra.SmallBlobCache;

/**
 * James's Cassandra mailboxes: mailboxes, messages, flags, ACLs, quotas and message bodies (blobs, de-duplicated)
 * in Cassandra, so that every node on the keyspace sees the same mailboxes. The same library classes James's own
 * Cassandra Guice module binds, minus JMAP-only and task-only parts, with eight choices of our own:
 * <ul>
 *     <li>search scans the mailbox in Cassandra ({@link SimpleMessageSearchIndex}): nothing is kept per node, so IMAP
 *     SEARCH on any node sees mail stored through any other node (a Lucene index per node would not);</li>
 *     <li>each message starts its own thread (IMAP and POP3 have no threads; as in app's {@code MemoryBackendModule});</li>
 *     <li>no quota is counted or checked on delivery: no limit can be set (see {@code bindQuotas()});</li>
 *     <li>mailbox events stay in the JVM (James's in-VM event bus) and their dead letters too, unless a broker is
 *     configured: then {@code RabbitMQEventBusModule} overrides the bus so that every node hears them (its dead
 *     letters stay in the heap; docs/storage-cassandra.md).</li>
 *     <li>a mailbox's last UID and MODSEQ share one row ({@link MailboxSequences}), so that an appended message
 *     gets both from one lightweight transaction, where James runs one for each; James's two counter tables are
 *     still created, and read once per mailbox when a keyspace written before this row is met;</li>
 *     <li>UIDs and mod-sequences are retried with a capped backoff ({@link CounterUidProvider}): James's
 *     doubles without a cap, and kept mail caught by a Cassandra outage a minute or more after it ended.</li>
 *     <li>small blobs (message headers) are kept in the node's heap once read ({@link SmallBlobCache}): a blob's id is
 *     the hash of its bytes, so no node can serve stale ones;</li>
 *     <li>blob ids carry a generation, so that {@code bin/gateway blobs collect} can delete the bytes nothing uses any
 *     more ({@link CassandraBlobCollectionModule}): the de-duplicating blob store ignores deletes;</li>
 *     <li>a SELECT of a mailbox with no recent message allocates no MODSEQ
 *     ({@link FewerTransactionsMapperFactory});</li>
 *     <li>mailboxes looked up by name (every delivery's INBOX) are kept for {@code cassandra.lookup.cache.ttl} and
 *     forgotten at the mailbox event of a change ({@link MailboxLookupCache}).</li>
 * </ul>
 * Reads {@code mailbox.blob.cache.size} (default 32M) and {@code mailbox.blob.cache.max.blob.size} (default 8K) from
 * {@code cassandra.properties}; needs the {@link CqlSession} of {@link CassandraSessionModule}.
 */
public final class CassandraMailboxStoreModule extends AbstractModule {

    static final String DEFAULT_BLOB_CACHE_SIZE = "32M";
    static final String SEQUENCES_LEASE = "mailbox.sequences.lease";
    static final String DEFAULT_BLOB_CACHE_MAX_BLOB = "8K";
    // Mailboxes kept by name: the INBOXes of a few seconds of deliveries, and the mailboxes IMAP sessions select.
    private static final long MAILBOX_LOOKUP_ENTRIES = 10_000;

    @Override
    protected void configure() {
        install(new DefaultEventModule());
        install(new MemoryDeadLetterModule());
        install(new MemoryQuotaSearchModule());

        bindMailboxes();
        bindQuotas();
        bindBlobs();
        bindSearch();
        tables();
        bind(SequencesLeaseLeaver.class).asEagerSingleton();
    }

    private void bindMailboxes() {
        bind(CassandraMailboxManager.class).in(Scopes.SINGLETON);
        // James's factory with one change: a SELECT of a mailbox with no recent message allocates no MODSEQ.
        bind(FewerTransactionsMapperFactory.class).in(Scopes.SINGLETON);
        bind(CassandraMailboxSessionMapperFactory.class).to(FewerTransactionsMapperFactory.class);
        // James's imapUidTable access with a plain insert (set back in time) instead of a lightweight transaction.
        bind(PlainInsertImapUidDAO.class).in(Scopes.SINGLETON);
        bind(CassandraMessageIdToImapUidDAO.class).to(PlainInsertImapUidDAO.class);
        bind(CassandraId.Factory.class).in(Scopes.SINGLETON);
        bind(CassandraMessageId.Factory.class).in(Scopes.SINGLETON);
        bind(StoreSubscriptionManager.class).in(Scopes.SINGLETON);
        bind(StoreAttachmentManager.class).in(Scopes.SINGLETON);
        bind(StoreMessageIdManager.class).in(Scopes.SINGLETON);
        bind(StoreRightManager.class).in(Scopes.SINGLETON);
        bind(SessionProviderImpl.class).in(Scopes.SINGLETON);
        bind(NoMailboxPathLocker.class).in(Scopes.SINGLETON);
        bind(UserRepositoryAuthenticator.class).in(Scopes.SINGLETON);
        bind(NaiveThreadIdGuessingAlgorithm.class).in(Scopes.SINGLETON);

        bind(MessageMapperFactory.class).to(CassandraMailboxSessionMapperFactory.class);
        bind(MailboxMapperFactory.class).to(CassandraMailboxSessionMapperFactory.class);
        bind(AttachmentMapperFactory.class).to(CassandraMailboxSessionMapperFactory.class);
        bind(MailboxSessionMapperFactory.class).to(CassandraMailboxSessionMapperFactory.class);
        bind(SubscriptionMapperFactory.class).to(CassandraMailboxSessionMapperFactory.class);
        bind(MailboxId.Factory.class).to(CassandraId.Factory.class);
        bind(MessageId.Factory.class).to(CassandraMessageId.Factory.class);
        bind(ThreadIdGuessingAlgorithm.class).to(NaiveThreadIdGuessingAlgorithm.class);
        // A message's attachments stay in its body blob, not stored a second time apart (JMAP's, not served here).
        bind(MessageParser.class).to(AttachmentsLeftInTheMessage.class);
        // Cassandra's lightweight transactions order concurrent changes of a mailbox, across nodes too.
        bind(MailboxPathLocker.class).to(NoMailboxPathLocker.class);
        bind(SubscriptionManager.class).to(StoreSubscriptionManager.class);
        bind(Authenticator.class).to(UserRepositoryAuthenticator.class);
        bind(MailboxManager.class).to(CassandraMailboxManager.class);
        bind(StoreMailboxManager.class).to(CassandraMailboxManager.class);
        bind(MessageIdManager.class).to(StoreMessageIdManager.class);
        bind(AttachmentManager.class).to(StoreAttachmentManager.class);
        bind(AttachmentContentLoader.class).to(AttachmentManager.class);
        bind(RightManager.class).to(StoreRightManager.class);
        bind(SessionProvider.class).to(SessionProviderImpl.class);
        bind(MailboxManagerConfiguration.class).toInstance(MailboxManagerConfiguration.DEFAULT);
        bind(MailboxManager.class).annotatedWith(Names.named(MAILBOXMANAGER_NAME)).to(MailboxManager.class);

        // Change logs the mailbox layer writes for JMAP clients; kept in Cassandra like the rest of the mailbox.
        bind(MailboxChangeRepository.class).to(CassandraMailboxChangeRepository.class);
        bind(EmailChangeRepository.class).to(CassandraEmailChangeRepository.class);
        bind(State.Factory.class).to(CassandraStateFactory.class);
        bind(Limit.class).annotatedWith(Names.named(CassandraEmailChangeRepository.LIMIT_NAME)).toInstance(Limit.of(256));
        bind(Limit.class).annotatedWith(Names.named(CassandraMailboxChangeRepository.LIMIT_NAME)).toInstance(Limit.of(256));

        Multibinder.newSetBinder(binder(), MailboxManagerDefinition.class).addBinding().to(CassandraMailboxManagerDefinition.class);
        Multibinder.newSetBinder(binder(), EventListener.GroupEventListener.class).addBinding().to(MailboxAnnotationListener.class);
        // Deletes a message's body and attachments once no mailbox holds it any more.
        Multibinder.newSetBinder(binder(), EventListener.ReactiveGroupEventListener.class).addBinding().to(DeleteMessageListener.class);
        Multibinder.newSetBinder(binder(), DeleteMessageListener.DeletionCallback.class);

        Multibinder<UsernameChangeTaskStep> usernameChangeSteps = Multibinder.newSetBinder(binder(), UsernameChangeTaskStep.class);
        usernameChangeSteps.addBinding().to(MailboxUsernameChangeTaskStep.class);
        usernameChangeSteps.addBinding().to(ACLUsernameChangeTaskStep.class);
        usernameChangeSteps.addBinding().to(QuotaUsernameChangeTaskStep.class);
    }

    /**
     * Mailboxes looked up by name are kept for the lookup caches' bound, and forgotten at once when a mailbox event
     * says one changed ({@link MailboxLookupCache}).
     */
    @Provides
    @Singleton
    MailboxLookupCache mailboxLookupCache(Provider<EventBus> eventBus, @Named(CassandraDataStoreModule.LOOKUP_CACHE_TTL) Duration ttl) {
        return new MailboxLookupCache(eventBus::get, ttl, MAILBOX_LOOKUP_ENTRIES);
    }

    /**
     * No quota is enforced or counted on delivery: a gateway offers no way to set a limit (no quota routes, no
     * command), and without a limit IMAP's GETQUOTAROOT reports no usage, so James's per-append quota work (four
     * reads of limits and usage before the append, a counter update and the same four reads again after it, and a
     * quota event) was spent on nothing: eight of the thirty reads of a delivered message (docs/benchmarks.md). The
     * quota tables and their managers stay, so nothing in the keyspace changes.
     */
    private void bindQuotas() {
        bind(CassandraCurrentQuotaManager.class).in(Scopes.SINGLETON);
        bind(CassandraPerUserMaxQuotaManager.class).in(Scopes.SINGLETON);
        bind(DefaultUserQuotaRootResolver.class).in(Scopes.SINGLETON);

        bind(CurrentQuotaManager.class).to(CassandraCurrentQuotaManager.class);
        bind(MaxQuotaManager.class).to(CassandraPerUserMaxQuotaManager.class);
        bind(QuotaManager.class).to(NoQuotaManager.class);
        bind(QuotaRootResolver.class).to(DefaultUserQuotaRootResolver.class);
        bind(QuotaRootDeserializer.class).to(DefaultUserQuotaRootResolver.class);
        bind(UserQuotaRootResolver.class).to(DefaultUserQuotaRootResolver.class);
        bind(QuotaUpdater.class).to(NoQuotaUpdater.class);
    }

    private void bindBlobs() {
        // Ids are content hashes with a generation around them, so that unreferenced blobs can be collected.
        bind(HashBlobId.Factory.class).in(Scopes.SINGLETON);
        install(new CassandraBlobCollectionModule());
        bind(CassandraBlobStoreDAO.class).in(Scopes.SINGLETON);
        // Bodies are stored under their hash: the same message delivered to many recipients is stored once.
        bind(DeDuplicationBlobStore.class).in(Scopes.SINGLETON);
        bind(BlobStore.class).to(DeDuplicationBlobStore.class);
        bind(BucketName.class).annotatedWith(Names.named(BlobStore.DEFAULT_BUCKET_NAME_QUALIFIER)).toInstance(BucketName.DEFAULT);

        Multibinder<BlobReferenceSource> references = Multibinder.newSetBinder(binder(), BlobReferenceSource.class);
        references.addBinding().to(AttachmentBlobReferenceSource.class);
        references.addBinding().to(MessageBlobReferenceSource.class);
    }

    private void bindSearch() {
        bind(SimpleMessageSearchIndex.class).in(Scopes.SINGLETON);
        bind(MessageSearchIndex.class).to(SimpleMessageSearchIndex.class);
        bind(TextExtractor.class).to(JsoupTextExtractor.class);
    }

    private void tables() {
        Multibinder<CassandraModule> tables = Multibinder.newSetBinder(binder(), CassandraModule.class);
        tables.addBinding().toInstance(CassandraAclModule.MODULE);
        tables.addBinding().toInstance(CassandraAttachmentModule.MODULE);
        tables.addBinding().toInstance(org.apache.james.mailbox.cassandra.modules.CassandraMailboxModule.MODULE);
        tables.addBinding().toInstance(CassandraMessageModule.MODULE);
        tables.addBinding().toInstance(CassandraMailboxCounterModule.MODULE);
        tables.addBinding().toInstance(CassandraAnnotationModule.MODULE);
        tables.addBinding().toInstance(CassandraApplicableFlagsModule.MODULE);
        tables.addBinding().toInstance(CassandraDeletedMessageModule.MODULE);
        tables.addBinding().toInstance(CassandraFirstUnseenModule.MODULE);
        tables.addBinding().toInstance(CassandraMailboxRecentsModule.MODULE);
        tables.addBinding().toInstance(CassandraModSeqModule.MODULE);
        tables.addBinding().toInstance(CassandraSubscriptionModule.MODULE);
        tables.addBinding().toInstance(CassandraUidModule.MODULE);
        tables.addBinding().toInstance(MailboxSequences.MODULE);
        tables.addBinding().toInstance(KeyspaceSequencesLease.MODULE);
        tables.addBinding().toInstance(CassandraThreadModule.MODULE);
        tables.addBinding().toInstance(CassandraQuotaModule.MODULE);
        tables.addBinding().toInstance(CassandraBlobModule.MODULE);
        tables.addBinding().toInstance(PartitionPerBlobStoreDAO.MODULE);
        tables.addBinding().toInstance(CassandraMailboxChangeModule.MODULE);
        tables.addBinding().toInstance(CassandraEmailChangeModule.MODULE);
    }

    /**
     * The blobs in Cassandra, one partition each (James's two tables still read for blobs stored before), small ones
     * (message headers) kept in this node's heap once read: every {@code FETCH 1:* (FLAGS ENVELOPE)} reads each
     * message's header blob (docs/storage-cassandra.md#blob-cache).
     */
    @Provides
    @Singleton
    BlobStoreDAO blobStoreDao(PartitionPerBlobStoreDAO cassandra, PropertiesProvider properties)
            throws ConfigurationException, FileNotFoundException {
        Configuration configuration = properties.getConfiguration("cassandra");
        return new SmallBlobCache(cassandra, new SmallBlobCache.Settings(
            Size.parse(configuration.getString("mailbox.blob.cache.size", DEFAULT_BLOB_CACHE_SIZE)).asBytes(),
            Math.toIntExact(Size.parse(configuration.getString("mailbox.blob.cache.max.blob.size", DEFAULT_BLOB_CACHE_MAX_BLOB))
                .asBytes())));
    }

    /**
     * Also given to the message mapper, which writes a small message's blobs in a batch with its row. A blob this node
     * saved in the last minutes is not written again ({@link RecentBlobWrites}).
     */
    @Provides
    @Singleton
    PartitionPerBlobStoreDAO blobRows(CqlSession session, CassandraBlobStoreDAO james, BlobId.Factory blobIds,
                                      CassandraConfiguration cassandraConfiguration,
                                      GenerationAwareBlobId.Configuration generations, Clock clock) {
        return new PartitionPerBlobStoreDAO(session, james, blobIds, cassandraConfiguration.getBlobPartSize(),
            new RecentBlobWrites(generations, clock));
    }

    @Provides
    @Singleton
    ACLMapper aclMapper(CassandraACLMapper mapper) {
        return mapper;
    }

    /**
     * Each mailbox's last UID and MODSEQ, in one row: an appended message gets both from one transaction, and a node
     * that is the only live one on the keyspace gets them in blocks ({@code mailbox.sequences.lease}).
     */
    @Provides
    @Singleton
    MailboxSequences mailboxSequences(CqlSession session, SequencesLease lease) {
        return new MailboxSequences(session, lease);
    }

    /**
     * The keyspace's sequences lease, under the queue's node name (a node restarted after a crash keeps it), or none
     * when {@code mailbox.sequences.lease} is false.
     */
    @Provides
    @Singleton
    SequencesLease sequencesLease(CqlSession session, PropertiesProvider properties, JamesDirectoriesProvider directories)
            throws ConfigurationException, FileNotFoundException {
        if (!properties.getConfiguration("cassandra").getBoolean(SEQUENCES_LEASE, true)) {
            return SequencesLease.SHARED;
        }
        return new KeyspaceSequencesLease(session, NodeIdentity.ofServer(directories)).start();
    }

    /** UIDs with a capped backoff: an append caught by a Cassandra outage ends soon after it. */
    @Provides
    @Singleton
    UidProvider uidProvider(MailboxSequences sequences, CassandraConfiguration configuration) {
        return CounterUidProvider.of(sequences, configuration);
    }

    @Provides
    @Singleton
    ModSeqProvider modSeqProvider(MailboxSequences sequences, CassandraConfiguration configuration) {
        return CounterModSeqProvider.of(sequences, configuration);
    }

    /** ACL changes are event-sourced in Cassandra (James's "V2" ACL store, the only one a new keyspace uses). */
    @Provides
    @Singleton
    CassandraACLMapper cassandraAclMapper(CassandraACLMapper.StoreV1 storeV1, CassandraUserMailboxRightsDAO userMailboxRights,
                                          CassandraACLDAOV2 aclDao, CqlSession session,
                                          CassandraSchemaVersionManager schemaVersions, CassandraConfiguration configuration) {
        CassandraEventStore aclEvents = new CassandraEventStore(
            new EventStoreDao(session, JsonEventSerializer.forModules(ACLModule.ACL_UPDATE).withoutNestedType()));
        return new CassandraACLMapper(storeV1, new CassandraACLMapper.StoreV2(userMailboxRights, aclDao, aclEvents),
            schemaVersions, configuration);
    }

    @Singleton
    private static final class CassandraMailboxManagerDefinition extends MailboxManagerDefinition {
        @Inject
        private CassandraMailboxManagerDefinition(CassandraMailboxManager manager) {
            super("cassandra-mailboxmanager", manager);
        }
    }
}
