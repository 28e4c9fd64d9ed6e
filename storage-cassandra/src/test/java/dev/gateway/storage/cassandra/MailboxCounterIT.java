package dev.gateway.storage.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.james.backends.cassandra.components.CassandraModule;
import org.apache.james.core.Username;
import org.apache.james.backends.cassandra.init.configuration.CassandraConfiguration;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.cassandra.ids.CassandraId;
import org.apache.james.mailbox.cassandra.mail.CassandraUidProvider;
import org.apache.james.mailbox.cassandra.modules.CassandraModSeqModule;
import org.apache.james.mailbox.cassandra.modules.CassandraUidModule;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.james.mailbox.store.mail.ModSeqProvider;
import org.apache.james.mailbox.store.mail.UidProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.datastax.oss.driver.api.core.CqlSession;

import dev.gateway.queue.cassandra.CassandraExtension;

/**
 * A mailbox's UIDs and mod-sequences given out by {@link MailboxCounter} on a real Cassandra, as the cluster profile
 * wires them ({@code CounterUidProvider.of}): each "node" is a provider of its own, with its own memory of the
 * last value, on one keyspace.
 */
class MailboxCounterIT {

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    private static final CassandraConfiguration CONFIGURATION = CassandraConfiguration.DEFAULT_CONFIGURATION;
    private static CqlSession session;

    @BeforeAll
    static void openSession() {
        session = CASSANDRA.server().session("mailbox_counter",
            CassandraModule.aggregateModules(CassandraUidModule.MODULE, CassandraModSeqModule.MODULE));
    }

    @AfterAll
    static void closeSession() {
        session.close();
    }

    @Test
    void aNewMailboxStartsAtOneAndARangeFollowsOn() throws Exception {
        Mailbox mailbox = newMailbox();
        UidProvider uids = CounterUidProvider.of(session, CONFIGURATION);

        assertThat(uids.lastUid(mailbox)).isEmpty();
        assertThat(uids.nextUid(mailbox)).isEqualTo(MessageUid.of(1));
        assertThat(uids.nextUids(mailbox.getMailboxId(), 3).block())
            .containsExactly(MessageUid.of(2), MessageUid.of(3), MessageUid.of(4));
        assertThat(uids.nextUid(mailbox)).isEqualTo(MessageUid.of(5));
        assertThat(uids.lastUid(mailbox)).contains(MessageUid.of(5));
    }

    @Test
    void aNodeWhoseLastValueIsStaleGetsTheNextOneNotADuplicate() throws Exception {
        Mailbox mailbox = newMailbox();
        UidProvider nodeA = CounterUidProvider.of(session, CONFIGURATION);
        UidProvider nodeB = CounterUidProvider.of(session, CONFIGURATION);

        assertThat(nodeA.nextUid(mailbox)).isEqualTo(MessageUid.of(1));
        for (int uid = 2; uid <= 11; uid++) {
            assertThat(nodeB.nextUid(mailbox)).isEqualTo(MessageUid.of(uid));
        }
        // A still remembers 1: its first update fails, and it continues from the value Cassandra returns.
        assertThat(nodeA.nextUid(mailbox)).isEqualTo(MessageUid.of(12));
        assertThat(nodeA.nextUids(mailbox.getMailboxId(), 2).block()).containsExactly(MessageUid.of(13), MessageUid.of(14));
        assertThat(nodeB.nextUid(mailbox)).isEqualTo(MessageUid.of(15));
    }

    @Test
    void twoNodesAllocatingAtOnceGiveEveryUidOnceInAscendingOrder() throws Exception {
        Mailbox mailbox = newMailbox();
        List<UidProvider> nodes = List.of(CounterUidProvider.of(session, CONFIGURATION),
            CounterUidProvider.of(session, CONFIGURATION));
        int threadsPerNode = 4;
        int perThread = 40;
        ExecutorService threads = Executors.newFixedThreadPool(nodes.size() * threadsPerNode);
        try {
            List<Future<List<Long>>> runs = new ArrayList<>();
            for (UidProvider node : nodes) {
                for (int thread = 0; thread < threadsPerNode; thread++) {
                    runs.add(threads.submit(allocations(node, mailbox, perThread)));
                }
            }
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> run : runs) {
                List<Long> ofOneThread = run.get();
                assertThat(ofOneThread).isSorted().doesNotHaveDuplicates();
                all.addAll(ofOneThread);
            }
            int total = nodes.size() * threadsPerNode * perThread;
            assertThat(all).hasSize(total).doesNotHaveDuplicates();
            assertThat(all.stream().mapToLong(Long::longValue).max()).hasValue(total);
            assertThat(nodes.get(0).lastUid(mailbox)).contains(MessageUid.of(total));
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void modSeqsFollowOnFromWhatJamesOwnProviderGave() throws Exception {
        Mailbox mailbox = newMailbox();
        UidProvider james = new CassandraUidProvider(session, CONFIGURATION);
        UidProvider ours = CounterUidProvider.of(session, CONFIGURATION);
        ModSeqProvider modSeqs = CounterModSeqProvider.of(session, CONFIGURATION);

        assertThat(james.nextUid(mailbox)).isEqualTo(MessageUid.of(1));
        assertThat(james.nextUid(mailbox)).isEqualTo(MessageUid.of(2));
        assertThat(ours.nextUid(mailbox)).isEqualTo(MessageUid.of(3));
        assertThat(james.nextUid(mailbox)).isEqualTo(MessageUid.of(4));

        assertThat(modSeqs.highestModSeq(mailbox)).isEqualTo(ModSeq.first());
        assertThat(modSeqs.nextModSeq(mailbox)).isEqualTo(ModSeq.of(1));
        assertThat(modSeqs.nextModSeq(mailbox)).isEqualTo(ModSeq.of(2));
        assertThat(modSeqs.highestModSeq(mailbox)).isEqualTo(ModSeq.of(2));
    }

    private static Callable<List<Long>> allocations(UidProvider node, Mailbox mailbox, int count) {
        return () -> {
            List<Long> given = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                given.add(node.nextUidReactive(mailbox.getMailboxId()).block().asLong());
            }
            return given;
        };
    }

    private static Mailbox newMailbox() {
        return new Mailbox(MailboxPath.forUser(Username.of("user@counter.test"), "INBOX"),
            UidValidity.of(42), CassandraId.timeBased());
    }
}
