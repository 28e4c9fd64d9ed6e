package dev.gateway.storage.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.Optional;

import javax.mail.Flags;

import org.apache.james.backends.cassandra.components.CassandraModule;
import org.apache.james.backends.cassandra.init.CassandraTableManager;
import org.apache.james.backends.cassandra.init.CassandraTypesCreator;
import org.apache.james.backends.cassandra.init.CassandraTypesProvider;
import org.apache.james.backends.cassandra.init.configuration.CassandraConfiguration;
import org.apache.james.blob.api.HashBlobId;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.cassandra.ids.CassandraId;
import org.apache.james.mailbox.cassandra.ids.CassandraMessageId;
import org.apache.james.mailbox.cassandra.mail.CassandraMessageIdToImapUidDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraMessageMetadata;
import org.apache.james.mailbox.cassandra.modules.CassandraMailboxModule;
import org.apache.james.mailbox.cassandra.modules.CassandraMessageModule;
import org.apache.james.mailbox.model.ComposedMessageId;
import org.apache.james.mailbox.model.ComposedMessageIdWithMetaData;
import org.apache.james.mailbox.model.ThreadId;
import org.apache.james.mailbox.model.UpdatedFlags;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.datastax.oss.driver.api.core.CqlSession;

import dev.gateway.queue.cassandra.CassandraExtension;
import dev.gateway.storage.cassandra.guice.Cassandra5Tables;

/**
 * A message's {@code imapUidTable} row written by {@link PlainInsertImapUidDAO} on a real Cassandra, then its flags
 * changed at once by James's conditional update, as an IMAP {@code STORE} right after delivery would: the change
 * must hold even when the gateway's clock runs ahead of Cassandra's, up to the set-back.
 */
class PlainInsertImapUidDAOIT {

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    private static final CassandraConfiguration CONFIGURATION = CassandraConfiguration.DEFAULT_CONFIGURATION;
    private static final CassandraMessageId.Factory MESSAGE_IDS = new CassandraMessageId.Factory();
    private static CqlSession session;

    @BeforeAll
    static void openSession() {
        // Types first (the mailbox table uses one), then the tables, as the gateway's schema update does.
        CassandraModule tables = Cassandra5Tables.compatible(
            CassandraModule.aggregateModules(CassandraMailboxModule.MODULE, CassandraMessageModule.MODULE));
        session = CASSANDRA.server().session("plain_insert_imap_uid", CassandraModule.EMPTY_MODULE);
        new CassandraTypesCreator(tables, session).initializeTypes();
        new CassandraTableManager(tables, session).initializeTables(new CassandraTypesProvider(session));
    }

    @AfterAll
    static void closeSession() {
        session.close();
    }

    @Test
    void aFlagChangeRightAfterTheInsertHoldsWithTheGatewaysClockAheadByLessThanTheSetBack() {
        Duration ahead = PlainInsertImapUidDAO.SET_BACK.minusMillis(300);

        assertThat(seenAfterInsertAndStore(withClockAhead(ahead))).as("\\Seen right after the insert, clock %s ahead", ahead).isTrue();
    }

    @Test
    void aFlagChangeRightAfterTheInsertHoldsWithClocksTogether() {
        CassandraMessageIdToImapUidDAO dao = new PlainInsertImapUidDAO(session, new HashBlobId.Factory(), CONFIGURATION);

        for (int message = 0; message < 20; message++) {
            assertThat(seenAfterInsertAndStore(dao)).as("\\Seen stored right after insert %d", message).isTrue();
        }
    }

    /** What the set-back guards against, shown: with the clock ahead by more, the insert's flags win over the change. */
    @Test
    void withTheGatewaysClockAheadByMoreThanTheSetBackTheChangeIsLost() {
        Duration ahead = PlainInsertImapUidDAO.SET_BACK.plusSeconds(2);

        assertThat(seenAfterInsertAndStore(withClockAhead(ahead))).as("\\Seen after the insert, clock %s ahead", ahead).isFalse();
    }

    /** The DAO of a gateway whose clock runs {@code ahead} of Cassandra's (both are this machine's otherwise). */
    private static CassandraMessageIdToImapUidDAO withClockAhead(Duration ahead) {
        return new PlainInsertImapUidDAO(session, new HashBlobId.Factory(), CONFIGURATION, Clock.offset(Clock.systemUTC(), ahead));
    }

    /** Inserts a message without flags, sets \Seen by James's conditional update, reads the row back: \Seen or not. */
    private static boolean seenAfterInsertAndStore(CassandraMessageIdToImapUidDAO dao) {
        CassandraId mailbox = CassandraId.timeBased();
        CassandraMessageId messageId = MESSAGE_IDS.generate();
        ComposedMessageId ids = new ComposedMessageId(mailbox, messageId, MessageUid.of(1));
        ModSeq inserted = ModSeq.of(1);
        dao.insert(new CassandraMessageMetadata.Builder()
                .ids(ComposedMessageIdWithMetaData.builder()
                    .composedMessageId(ids)
                    .flags(new Flags())
                    .modSeq(inserted)
                    .threadId(ThreadId.fromBaseMessageId(messageId))
                    .build())
                .internalDate(new Date())
                .bodyStartOctet(10L)
                .size(100L)
                .headerContent(Optional.of(new HashBlobId.Factory().randomId()))
                .build())
            .block();

        boolean applied = dao.updateMetadata(ids, UpdatedFlags.builder()
                .uid(ids.getUid())
                .modSeq(ModSeq.of(2))
                .oldFlags(new Flags())
                .newFlags(new Flags(Flags.Flag.SEEN))
                .build(), inserted)
            .block();
        assertThat(applied).as("the conditional update's condition (modseq 1) held").isTrue();

        return dao.retrieve(messageId, Optional.of(mailbox)).collectList().block().stream()
            .anyMatch(row -> row.getComposedMessageId().getFlags().contains(Flags.Flag.SEEN));
    }
}
