package dev.gateway.storage.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.apache.james.backends.cassandra.components.CassandraModule;
import org.apache.james.backends.cassandra.init.CassandraTypesProvider;
import org.apache.james.backends.cassandra.init.configuration.CassandraConfiguration;
import org.apache.james.backends.cassandra.versions.CassandraSchemaVersionDAO;
import org.apache.james.backends.cassandra.versions.CassandraSchemaVersionManager;
import org.apache.james.backends.cassandra.versions.CassandraSchemaVersionModule;
import org.apache.james.core.Username;
import org.apache.james.events.EventBus;
import org.apache.james.events.InVMEventBus;
import org.apache.james.events.MemoryEventDeadLetters;
import org.apache.james.events.RetryBackoffConfiguration;
import org.apache.james.events.delivery.InVmEventDelivery;
import org.apache.james.eventsourcing.eventstore.cassandra.CassandraEventStore;
import org.apache.james.eventsourcing.eventstore.cassandra.CassandraEventStoreModule;
import org.apache.james.eventsourcing.eventstore.cassandra.EventStoreDao;
import org.apache.james.eventsourcing.eventstore.cassandra.JsonEventSerializer;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.acl.ACLDiff;
import org.apache.james.mailbox.cassandra.ids.CassandraId;
import org.apache.james.mailbox.cassandra.mail.CassandraACLDAOV1;
import org.apache.james.mailbox.cassandra.mail.CassandraACLDAOV2;
import org.apache.james.mailbox.cassandra.mail.CassandraACLMapper;
import org.apache.james.mailbox.cassandra.mail.CassandraMailboxDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraMailboxMapper;
import org.apache.james.mailbox.cassandra.mail.CassandraMailboxPathV3DAO;
import org.apache.james.mailbox.cassandra.mail.CassandraUserMailboxRightsDAO;
import org.apache.james.mailbox.cassandra.mail.eventsourcing.acl.ACLModule;
import org.apache.james.mailbox.cassandra.modules.CassandraAclModule;
import org.apache.james.mailbox.cassandra.modules.CassandraMailboxModule;
import org.apache.james.mailbox.events.MailboxEvents;
import org.apache.james.mailbox.events.MailboxIdRegistrationKey;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxACL;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.james.mailbox.store.mail.MailboxMapper;
import org.apache.james.mailbox.store.mail.model.MailboxMapperACLTest;
import org.apache.james.mailbox.store.mail.model.MailboxMapperTest;
import org.apache.james.events.Event;
import org.apache.james.metrics.dropwizard.DropWizardMetricFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.codahale.metrics.MetricRegistry;
import com.datastax.oss.driver.api.core.CqlSession;

import dev.gateway.queue.cassandra.CassandraExtension;

/**
 * {@link CachingMailboxMapper} over James's Cassandra mailbox mapper and a real Cassandra: James's mailbox mapper and
 * ACL contracts, with entries kept for ten minutes so that only what clears them can make a test see a change; and
 * what another node's change looks like here (its mailbox event on the bus, nothing written through this mapper).
 */
class CachingMailboxMapperIT {

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    private static final CassandraConfiguration CONFIGURATION = CassandraConfiguration.DEFAULT_CONFIGURATION;
    private static final Duration LONGER_THAN_ANY_TEST = Duration.ofMinutes(10);
    private static final MailboxPath INBOX = MailboxPath.forUser(Username.of("alice"), "INBOX");
    private static CqlSession session;

    @BeforeAll
    static void openSession() {
        session = MailboxKeyspaces.open(CASSANDRA.server(), "caching_mailbox_mapper", CassandraModule.aggregateModules(
            CassandraSchemaVersionModule.MODULE, CassandraAclModule.MODULE, CassandraMailboxModule.MODULE,
            CassandraEventStoreModule.MODULE()));
    }

    @AfterAll
    static void closeSession() {
        session.close();
    }

    /** Every test creates its mailboxes under the same names, and the contracts list every mailbox there is. */
    @AfterEach
    void forgetMailboxes() {
        session.getMetadata().getKeyspace(session.getKeyspace().orElseThrow()).orElseThrow().getTables().keySet().stream()
            .filter(table -> !table.asInternal().equalsIgnoreCase("schemaVersion"))
            .forEach(table -> session.execute("TRUNCATE " + table.asCql(true)));
    }

    private static MailboxMapper james() {
        CassandraEventStore events = new CassandraEventStore(
            new EventStoreDao(session, JsonEventSerializer.forModules(ACLModule.ACL_UPDATE).withoutNestedType()));
        CassandraUserMailboxRightsDAO rights = new CassandraUserMailboxRightsDAO(session);
        CassandraACLMapper acl = new CassandraACLMapper(new CassandraACLMapper.StoreV1(rights, new CassandraACLDAOV1(session, CONFIGURATION)),
            new CassandraACLMapper.StoreV2(rights, new CassandraACLDAOV2(session), events),
            new CassandraSchemaVersionManager(new CassandraSchemaVersionDAO(session)), CONFIGURATION);
        return new CassandraMailboxMapper(new CassandraMailboxDAO(session, new CassandraTypesProvider(session)),
            new CassandraMailboxPathV3DAO(session), rights, acl, CONFIGURATION);
    }

    private static EventBus inVmBus() {
        return new InVMEventBus(new InVmEventDelivery(new DropWizardMetricFactory(new MetricRegistry())),
            RetryBackoffConfiguration.DEFAULT, new MemoryEventDeadLetters());
    }

    private static CachingMailboxMapper cached(EventBus bus) {
        return new CachingMailboxMapper(james(), new MailboxLookupCache(() -> bus, LONGER_THAN_ANY_TEST, 100));
    }

    @Nested
    class JamesMailboxMapperContract extends MailboxMapperTest {
        @Override
        protected MailboxMapper createMailboxMapper() {
            return cached(inVmBus());
        }

        @Override
        protected MailboxId generateId() {
            return CassandraId.timeBased();
        }
    }

    @Nested
    class JamesMailboxAclContract extends MailboxMapperACLTest {
        @Override
        protected MailboxMapper createMailboxMapper() {
            return cached(inVmBus());
        }
    }

    @Nested
    class AnotherNodesChange {

        private EventBus bus;
        private CachingMailboxMapper here;
        private CachingMailboxMapper there;
        private Mailbox inbox;

        /** Two nodes on one keyspace and one bus; this node has looked the INBOX up, so it keeps it. */
        @BeforeEach
        void bothNodesKnowTheInbox() {
            bus = inVmBus();
            here = cached(bus);
            there = cached(bus);
            inbox = there.create(INBOX, UidValidity.of(42)).block();
            assertThat(here.findMailboxByPath(INBOX).block().getMailboxId()).isEqualTo(inbox.getMailboxId());
        }

        @Test
        void aRenameIsSeenOnceItsEventArrives() {
            Mailbox renamed = there.findMailboxByPath(INBOX).block();
            renamed.setName("Archive");
            there.rename(renamed).block();
            Mailbox newInbox = there.create(INBOX, UidValidity.of(43)).block();

            assertThat(here.findMailboxByPath(INBOX).block().getMailboxId())
                .as("before the event: the INBOX this node keeps").isEqualTo(inbox.getMailboxId());
            dispatch(new MailboxEvents.MailboxRenamed(MailboxSession.SessionId.of(1), INBOX.getUser(), INBOX,
                inbox.getMailboxId(), renamed.generateAssociatedPath(), Event.EventId.random()), inbox.getMailboxId());

            assertThat(here.findMailboxByPath(INBOX).block().getMailboxId()).isEqualTo(newInbox.getMailboxId());
        }

        @Test
        void anAclChangeIsSeenOnceItsEventArrives() {
            MailboxACL.Rfc4314Rights read = new MailboxACL.Rfc4314Rights(MailboxACL.Right.Read, MailboxACL.Right.Lookup);
            MailboxACL.EntryKey bob = MailboxACL.EntryKey.createUserEntryKey(Username.of("bob"));
            ACLDiff diff = there.updateACL(there.findMailboxByPath(INBOX).block(),
                MailboxACL.command().key(bob).rights(read).asAddition()).block();

            assertThat(here.findMailboxByPath(INBOX).block().getACL().getEntries())
                .as("before the event: the ACL this node keeps").doesNotContainKey(bob);
            dispatch(new MailboxEvents.MailboxACLUpdated(MailboxSession.SessionId.of(1), INBOX.getUser(), INBOX, diff,
                inbox.getMailboxId(), Event.EventId.random()), inbox.getMailboxId());

            assertThat(here.findMailboxByPath(INBOX).block().getACL().getEntries()).containsEntry(bob, read);
        }

        @Test
        void whatACallerChangesOnItsCopyIsNotServedToTheNext() throws Exception {
            Mailbox mine = here.findMailboxByPath(INBOX).block();
            mine.setName("Elsewhere");
            mine.setACL(new MailboxACL(new MailboxACL.Entry("bob", MailboxACL.Right.Read)));

            Mailbox next = here.findMailboxByPath(INBOX).block();
            assertThat(next.getName()).isEqualTo("INBOX");
            assertThat(next.getACL().getEntries()).isEmpty();
        }

        @Test
        void aMailboxThatIsNotThereIsNotKeptAsMissing() {
            MailboxPath archive = MailboxPath.forUser(INBOX.getUser(), "Archive");
            assertThat(here.findMailboxByPath(archive).blockOptional()).isEmpty();

            Mailbox created = there.create(archive, UidValidity.of(44)).block();

            assertThat(here.findMailboxByPath(archive).block().getMailboxId()).isEqualTo(created.getMailboxId());
        }

        private void dispatch(MailboxEvents.MailboxEvent event, MailboxId id) {
            bus.dispatch(event, new MailboxIdRegistrationKey(id)).block();
        }
    }
}
