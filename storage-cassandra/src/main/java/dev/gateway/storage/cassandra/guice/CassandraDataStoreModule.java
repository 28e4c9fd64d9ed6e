package dev.gateway.storage.cassandra.guice;

import org.apache.james.CoreDataModule;
import org.apache.james.adapter.mailbox.DelegationStoreAuthorizator;
import org.apache.james.backends.cassandra.components.CassandraModule;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.cassandra.CassandraDomainList;
import org.apache.james.domainlist.lib.DomainListConfiguration;
import org.apache.james.eventsourcing.eventstore.EventStore;
import org.apache.james.eventsourcing.eventstore.cassandra.CassandraEventStore;
import org.apache.james.eventsourcing.eventstore.cassandra.CassandraEventStoreModule;
import org.apache.james.eventsourcing.eventstore.cassandra.dto.EventDTO;
import org.apache.james.eventsourcing.eventstore.cassandra.dto.EventDTOModule;
import org.apache.james.mailbox.Authorizator;
import org.apache.james.mailrepository.api.MailRepositoryFactory;
import org.apache.james.mailrepository.api.MailRepositoryUrlStore;
import org.apache.james.mailrepository.cassandra.CassandraMailRepositoryFactory;
import org.apache.james.mailrepository.cassandra.CassandraMailRepositoryUrlModule;
import org.apache.james.mailrepository.cassandra.CassandraMailRepositoryUrlStore;
import org.apache.james.mailrepository.cassandra.MailRepositoryBlobReferenceSource;
import org.apache.james.blob.api.BlobReferenceSource;
import org.apache.james.rrt.api.AliasReverseResolver;
import org.apache.james.sieve.cassandra.CassandraActiveScriptDAO;
import org.apache.james.sieve.cassandra.CassandraSieveRepository;
import org.apache.james.sieve.cassandra.CassandraSieveRepositoryModule;
import org.apache.james.sieverepository.api.SieveQuotaRepository;
import org.apache.james.sieverepository.api.SieveRepository;
import org.apache.james.util.date.DefaultZonedDateTimeProvider;
import org.apache.james.util.date.ZonedDateTimeProvider;
import org.apache.james.vacation.api.NotificationRegistry;
import org.apache.james.vacation.cassandra.CassandraNotificationRegistry;
import org.apache.james.vacation.cassandra.CassandraNotificationRegistryModule;
import org.apache.james.rrt.api.CanSendFrom;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.apache.james.rrt.cassandra.CassandraRRTModule;
import org.apache.james.rrt.cassandra.CassandraRecipientRewriteTable;
import org.apache.james.rrt.lib.AliasReverseResolverImpl;
import org.apache.james.rrt.lib.CanSendFromImpl;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.util.DurationParser;
import org.apache.james.utils.PropertiesProvider;
import org.apache.james.user.api.DelegationStore;
import org.apache.james.user.api.DelegationUsernameChangeTaskStep;
import org.apache.james.user.api.UsernameChangeTaskStep;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.cassandra.CassandraDelegationStore;
import org.apache.james.user.cassandra.CassandraUsersDAO;
import org.apache.james.user.cassandra.CassandraUsersRepositoryModule;
import org.apache.james.user.lib.UsersDAO;
import org.apache.james.user.lib.UsersRepositoryImpl;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;

import java.io.FileNotFoundException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Set;

import javax.inject.Named;
import javax.inject.Singleton;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.eventsourcing.eventstore.cassandra.EventNestedTypes;
import org.apache.james.json.DTO;
import org.apache.james.json.DTOModule;
import org.apache.james.user.cassandra.CassandraRepositoryConfiguration;

import com.datastax.oss.driver.api.core.CqlSession;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;
import com.google.inject.name.Names;

import dev.gateway.storage.cassandra.CachingActiveScriptDAO;
import dev.gateway.storage.cassandra.CachingDomainList;
import dev.gateway.storage.cassandra.CachingRecipientRewriteTable;
import dev.gateway.storage.cassandra.CachingUsersDAO;
import dev.gateway.storage.cassandra.InboxCreatingUsersRepository;
import dev.gateway.storage.cassandra.ShortLivedCache;

/**
 * James's Cassandra data: domains, users, delegations, recipient rewrite tables (aliases, forwards), mail
 * repositories (quarantine, errors, ...), Sieve scripts and vacation notifications, and the event store, shared by every node on the keyspace.
 * Reads {@code cassandra.lookup.cache.ttl} (default 5s) from {@code cassandra.properties}, and
 * {@code usersrepository.xml}, {@code domainlist.xml} and {@code recipientrewritetable.xml} as James does. Which
 * repository class answers {@code repository://} and {@code cassandra://} URLs is bound by the assembly
 * (app's {@code MailRepositoryProtocols}), which owns the backend-neutral protocol.
 */
public final class CassandraDataStoreModule extends AbstractModule {

    static final String LOOKUP_CACHE_TTL = "gateway.lookup.cache.ttl";
    static final String DEFAULT_LOOKUP_CACHE_TTL = "5s";
    // Entries per cache (domains, users, resolved addresses, active Sieve scripts): the recipients of a few seconds
    // of traffic.
    private static final long LOOKUP_CACHE_ENTRIES = 10_000;

    @Override
    protected void configure() {
        install(new CoreDataModule());

        // DomainList, UsersDAO and RecipientRewriteTable: James's Cassandra classes behind short-lived lookup caches
        // (the providers below).
        bind(CassandraDomainList.class).in(Scopes.SINGLETON);

        bind(CassandraUsersDAO.class).in(Scopes.SINGLETON);
        bind(new TypeLiteral<UsersRepositoryImpl<UsersDAO>>() { }).in(Scopes.SINGLETON);
        bind(UsersRepository.class).annotatedWith(Names.named(InboxCreatingUsersRepository.WRAPPED))
            .to(new TypeLiteral<UsersRepositoryImpl<UsersDAO>>() { });
        bind(InboxCreatingUsersRepository.class).in(Scopes.SINGLETON);
        bind(UsersRepository.class).to(InboxCreatingUsersRepository.class);

        bind(CassandraDelegationStore.class).in(Scopes.SINGLETON);
        bind(DelegationStore.class).to(CassandraDelegationStore.class);
        bind(Authorizator.class).to(DelegationStoreAuthorizator.class);
        Multibinder.newSetBinder(binder(), UsernameChangeTaskStep.class).addBinding().to(DelegationUsernameChangeTaskStep.class);

        bind(CassandraRecipientRewriteTable.class).in(Scopes.SINGLETON);
        bind(AliasReverseResolverImpl.class).in(Scopes.SINGLETON);
        bind(AliasReverseResolver.class).to(AliasReverseResolverImpl.class);
        bind(CanSendFromImpl.class).in(Scopes.SINGLETON);
        bind(CanSendFrom.class).to(CanSendFromImpl.class);

        bind(CassandraMailRepositoryUrlStore.class).in(Scopes.SINGLETON);
        bind(MailRepositoryUrlStore.class).to(CassandraMailRepositoryUrlStore.class);
        Multibinder.newSetBinder(binder(), MailRepositoryFactory.class).addBinding().to(CassandraMailRepositoryFactory.class);
        Multibinder.newSetBinder(binder(), BlobReferenceSource.class).addBinding().to(MailRepositoryBlobReferenceSource.class);

        // Users' Sieve scripts and who their vacation replies went to (docs/sieve.md), shared by every node; which
        // script is active behind a short-lived lookup cache (the provider below).
        bind(CassandraSieveRepository.class).in(Scopes.SINGLETON);
        bind(SieveRepository.class).to(CassandraSieveRepository.class);
        bind(SieveQuotaRepository.class).to(CassandraSieveRepository.class);
        bind(CassandraNotificationRegistry.class).in(Scopes.SINGLETON);
        bind(NotificationRegistry.class).to(CassandraNotificationRegistry.class);
        bind(DefaultZonedDateTimeProvider.class).in(Scopes.SINGLETON);
        bind(ZonedDateTimeProvider.class).to(DefaultZonedDateTimeProvider.class);

        bind(CassandraEventStore.class).in(Scopes.SINGLETON);
        bind(EventStore.class).to(CassandraEventStore.class);
        Multibinder.newSetBinder(binder(), new TypeLiteral<EventDTOModule<? extends org.apache.james.eventsourcing.Event, ? extends EventDTO>>() { });

        Multibinder<CassandraModule> tables = Multibinder.newSetBinder(binder(), CassandraModule.class);
        tables.addBinding().toInstance(org.apache.james.domainlist.cassandra.CassandraDomainListModule.MODULE);
        tables.addBinding().toInstance(CassandraUsersRepositoryModule.MODULE);
        tables.addBinding().toInstance(CassandraRRTModule.MODULE);
        tables.addBinding().toInstance(org.apache.james.mailrepository.cassandra.CassandraMailRepositoryModule.MODULE);
        tables.addBinding().toInstance(CassandraMailRepositoryUrlModule.MODULE);
        tables.addBinding().toInstance(CassandraEventStoreModule.MODULE());
        tables.addBinding().toInstance(CassandraSieveRepositoryModule.MODULE);
        tables.addBinding().toInstance(CassandraNotificationRegistryModule.MODULE);
    }

    /**
     * How long a node keeps the answers of the lookups every message makes (is this domain local, does this user
     * exist, what does this address rewrite to, which Sieve script is active): a change made through another node
     * takes effect here within it; 0 turns the caches off (docs/storage-cassandra.md#lookup-caches).
     */
    @Provides
    @Singleton
    @Named(LOOKUP_CACHE_TTL)
    Duration lookupCacheTtl(PropertiesProvider properties) throws ConfigurationException, FileNotFoundException {
        return DurationParser.parse(properties.getConfiguration("cassandra")
            .getString("cassandra.lookup.cache.ttl", DEFAULT_LOOKUP_CACHE_TTL), ChronoUnit.SECONDS);
    }

    @Provides
    @Singleton
    DomainList domainList(CassandraDomainList domains, @Named(LOOKUP_CACHE_TTL) Duration ttl) {
        return new CachingDomainList(domains, new ShortLivedCache<>(ttl, LOOKUP_CACHE_ENTRIES));
    }

    @Provides
    @Singleton
    UsersDAO usersDao(CassandraUsersDAO users, @Named(LOOKUP_CACHE_TTL) Duration ttl) {
        return new CachingUsersDAO(users, new ShortLivedCache<>(ttl, LOOKUP_CACHE_ENTRIES));
    }

    @Provides
    @Singleton
    RecipientRewriteTable recipientRewriteTable(CassandraRecipientRewriteTable table, @Named(LOOKUP_CACHE_TTL) Duration ttl) {
        return new CachingRecipientRewriteTable(table, new ShortLivedCache<>(ttl, LOOKUP_CACHE_ENTRIES));
    }

    /** James's repository takes this class: the caching subclass is what it gets. */
    @Provides
    @Singleton
    CassandraActiveScriptDAO activeScriptDao(CqlSession session, @Named(LOOKUP_CACHE_TTL) Duration ttl) {
        return new CachingActiveScriptDAO(session, new ShortLivedCache<>(ttl, LOOKUP_CACHE_ENTRIES));
    }

    /** Password hashing, read from usersrepository.xml like the memory backend's. */
    @Provides
    @Singleton
    CassandraRepositoryConfiguration usersConfiguration(ConfigurationProvider configurations) throws ConfigurationException {
        return CassandraRepositoryConfiguration.from(configurations.getConfiguration("usersrepository"));
    }

    /** Events stored here carry no nested task payloads: tasks run in memory (TaskManagerModule). */
    @Provides
    @Singleton
    @Named(EventNestedTypes.EVENT_NESTED_TYPES_INJECTION_NAME)
    Set<DTOModule<?, ? extends DTO>> eventNestedTypes() {
        return Set.of();
    }

    @ProvidesIntoSet
    InitializationOperation configureDomainList(DomainListConfiguration configuration, CassandraDomainList domainList) {
        return InitilizationOperationBuilder.forClass(CassandraDomainList.class)
            .init(() -> domainList.configure(configuration));
    }

    @ProvidesIntoSet
    InitializationOperation configureUsersRepository(ConfigurationProvider configurations,
                                                     UsersRepositoryImpl<UsersDAO> users) {
        return InitilizationOperationBuilder.forClass(UsersRepositoryImpl.class)
            .init(() -> users.configure(configurations.getConfiguration("usersrepository")));
    }

    @ProvidesIntoSet
    InitializationOperation configureRecipientRewriteTable(ConfigurationProvider configurations,
                                                           CassandraRecipientRewriteTable table) {
        return InitilizationOperationBuilder.forClass(CassandraRecipientRewriteTable.class)
            .init(() -> table.configure(configurations.getConfiguration("recipientrewritetable")));
    }
}
