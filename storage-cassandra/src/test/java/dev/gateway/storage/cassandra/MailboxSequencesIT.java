package dev.gateway.storage.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.james.backends.cassandra.components.CassandraModule;
import org.apache.james.backends.cassandra.init.configuration.CassandraConfiguration;
import org.apache.james.core.Username;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.cassandra.ids.CassandraId;
import org.apache.james.mailbox.cassandra.mail.CassandraModSeqProvider;
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

import dev.gateway.queue.cassandra.CassandraCounts;
import dev.gateway.queue.cassandra.CassandraExtension;

import reactor.core.publisher.Mono;

/**
 * A mailbox's UIDs and mod-sequences given out by {@link MailboxSequences} on a real Cassandra, through the providers
 * as the cluster profile wires them: each "node" is a {@link MailboxSequences} of its own, with its own memory of the
 * last values, on one keyspace.
 */
class MailboxSequencesIT {

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    private static final String KEYSPACE = "mailbox_sequences";
    private static final CassandraConfiguration CONFIGURATION = CassandraConfiguration.DEFAULT_CONFIGURATION;
    private static CqlSession session;

    @BeforeAll
    static void openSession() {
        session = CASSANDRA.server().session(KEYSPACE, CassandraModule.aggregateModules(
            CassandraUidModule.MODULE, CassandraModSeqModule.MODULE, MailboxSequences.MODULE));
    }

    @AfterAll
    static void closeSession() {
        session.close();
    }

    @Test
    void aNewMailboxStartsAtOneAndARangeFollowsOn() throws Exception {
        Mailbox mailbox = newMailbox();
        Node node = new Node();

        assertThat(node.uids.lastUid(mailbox)).isEmpty();
        assertThat(node.modSeqs.highestModSeq(mailbox)).isEqualTo(ModSeq.first());
        assertThat(node.uids.nextUid(mailbox)).isEqualTo(MessageUid.of(1));
        assertThat(node.uids.nextUids(mailbox.getMailboxId(), 3).block())
            .containsExactly(MessageUid.of(2), MessageUid.of(3), MessageUid.of(4));
        assertThat(node.uids.nextUid(mailbox)).isEqualTo(MessageUid.of(5));
        assertThat(node.modSeqs.nextModSeq(mailbox)).isEqualTo(ModSeq.of(1));
        assertThat(node.uids.lastUid(mailbox)).contains(MessageUid.of(5));
        assertThat(node.modSeqs.highestModSeq(mailbox)).isEqualTo(ModSeq.of(1));
    }

    @Test
    void anAppendTakesTheUidAndModSeqAllocatedTogetherOnceEach() {
        Mailbox mailbox = newMailbox();
        UUID id = id(mailbox);
        Node node = new Node();
        MailboxSequences.Given together = node.sequences.advance(id, 1, 1).block();
        assertThat(together).isEqualTo(new MailboxSequences.Given(1, 1));

        // As James's mapper asks within an append: the UID, then the MODSEQ, under the context the append sets.
        List<Object> asked = Mono.zip(node.uids.nextUidReactive(mailbox.getMailboxId()),
                node.modSeqs.nextModSeqReactive(mailbox.getMailboxId()),
                node.uids.nextUidReactive(mailbox.getMailboxId()),
                node.modSeqs.nextModSeqReactive(mailbox.getMailboxId()))
            .map(values -> List.<Object>of(values.getT1(), values.getT2(), values.getT3(), values.getT4()))
            .contextWrite(new AllocatedForAppend(id, together)::into)
            .block();

        // The first ask of each gets what was allocated together; a second ask allocates anew, never a value twice.
        assertThat(asked).containsExactly(MessageUid.of(1), ModSeq.of(1), MessageUid.of(2), ModSeq.of(2));
        assertThat(node.sequences.last(id, true).block()).isEqualTo(new MailboxSequences.Given(2, 2));
    }

    @Test
    void anAllocationForAnotherMailboxIsNotTakenByThisOne() {
        Mailbox mailbox = newMailbox();
        UUID other = id(newMailbox());
        Node node = new Node();

        MessageUid uid = node.uids.nextUidReactive(mailbox.getMailboxId())
            .contextWrite(new AllocatedForAppend(other, new MailboxSequences.Given(41, 41))::into)
            .block();

        assertThat(uid).isEqualTo(MessageUid.of(1));
    }

    @Test
    void aNodeWhoseLastValuesAreStaleGetsTheNextOnesNotDuplicates() throws Exception {
        Mailbox mailbox = newMailbox();
        Node nodeA = new Node();
        Node nodeB = new Node();

        assertThat(nodeA.sequences.advance(id(mailbox), 1, 1).block()).isEqualTo(new MailboxSequences.Given(1, 1));
        for (int uid = 2; uid <= 11; uid++) {
            assertThat(nodeB.uids.nextUid(mailbox)).isEqualTo(MessageUid.of(uid));
        }
        assertThat(nodeB.modSeqs.nextModSeq(mailbox)).isEqualTo(ModSeq.of(2));
        // A still remembers (1, 1): its first update fails, and it continues from the values Cassandra returns.
        assertThat(nodeA.sequences.advance(id(mailbox), 1, 1).block()).isEqualTo(new MailboxSequences.Given(12, 3));
        assertThat(nodeA.uids.nextUids(mailbox.getMailboxId(), 2).block())
            .containsExactly(MessageUid.of(13), MessageUid.of(14));
        assertThat(nodeB.uids.nextUid(mailbox)).isEqualTo(MessageUid.of(15));
        assertThat(nodeB.modSeqs.nextModSeq(mailbox)).isEqualTo(ModSeq.of(4));
    }

    @Test
    void twoNodesAllocatingAtOnceGiveEveryValueOnceInAscendingOrder() throws Exception {
        Mailbox mailbox = newMailbox();
        List<Node> nodes = List.of(new Node(), new Node());
        int threadsPerNode = 4;
        int perThread = 30;
        ExecutorService threads = Executors.newFixedThreadPool(nodes.size() * threadsPerNode);
        try {
            // On each node: appends (both values), UIDs alone (a batch copy) and mod-sequences alone (flag changes).
            List<Future<List<MailboxSequences.Given>>> runs = new ArrayList<>();
            for (Node node : nodes) {
                for (int thread = 0; thread < threadsPerNode; thread++) {
                    int uids = thread % 3 == 2 ? 0 : 1;
                    int modSeqs = thread % 3 == 1 ? 0 : 1;
                    runs.add(threads.submit(allocations(node, mailbox, uids, modSeqs, perThread)));
                }
            }
            List<Long> uids = new ArrayList<>();
            List<Long> modSeqs = new ArrayList<>();
            for (int run = 0; run < runs.size(); run++) {
                List<MailboxSequences.Given> ofOneThread = runs.get(run).get();
                List<Long> threadUids = ofOneThread.stream().map(MailboxSequences.Given::uid).toList();
                List<Long> threadModSeqs = ofOneThread.stream().map(MailboxSequences.Given::modSeq).toList();
                assertThat(threadUids).isSorted();
                assertThat(threadModSeqs).isSorted();
                int thread = run % threadsPerNode;
                if (thread % 3 != 2) {
                    uids.addAll(threadUids);
                }
                if (thread % 3 != 1) {
                    modSeqs.addAll(threadModSeqs);
                }
            }
            assertThat(uids).doesNotHaveDuplicates();
            assertThat(modSeqs).doesNotHaveDuplicates();
            assertThat(nodes.get(0).uids.lastUid(mailbox)).contains(MessageUid.of(uids.size()));
            assertThat(nodes.get(1).modSeqs.highestModSeq(mailbox)).isEqualTo(ModSeq.of(modSeqs.size()));
            assertThat(uids.stream().mapToLong(Long::longValue).max()).hasValue(uids.size());
            assertThat(modSeqs.stream().mapToLong(Long::longValue).max()).hasValue(modSeqs.size());
        } finally {
            threads.shutdownNow();
        }
    }

    /**
     * Eight threads of one node appending into one mailbox at once: every value once and ascending, and fewer
     * transactions than appends, because those asked while one is in flight share the next. Each transaction reads
     * the row once (Cassandra's own count, {@code system_views.local_read_latency}); one per append, or more after
     * a lost race, is what they cost when each runs its own.
     */
    @Test
    void appendsAskedAtOnceOnOneNodeShareTransactions() throws Exception {
        Mailbox mailbox = newMailbox();
        Node node = new Node();
        node.allocate(mailbox, 1, 1);
        int threads = 8;
        int perThread = 30;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long readsBefore = CassandraCounts.localReads(session, KEYSPACE, MailboxSequences.TABLE);
            List<Future<List<MailboxSequences.Given>>> runs = new ArrayList<>();
            for (int thread = 0; thread < threads; thread++) {
                runs.add(pool.submit(allocations(node, mailbox, 1, 1, perThread)));
            }
            List<Long> uids = new ArrayList<>();
            List<Long> modSeqs = new ArrayList<>();
            for (Future<List<MailboxSequences.Given>> run : runs) {
                List<MailboxSequences.Given> ofOneThread = run.get();
                assertThat(ofOneThread.stream().map(MailboxSequences.Given::uid).toList()).isSorted();
                ofOneThread.forEach(given -> {
                    uids.add(given.uid());
                    modSeqs.add(given.modSeq());
                });
            }
            long transactions = CassandraCounts.localReads(session, KEYSPACE, MailboxSequences.TABLE) - readsBefore;

            assertThat(uids).doesNotHaveDuplicates().hasSize(threads * perThread);
            assertThat(modSeqs).doesNotHaveDuplicates();
            assertThat(uids.stream().mapToLong(Long::longValue).max()).hasValue(threads * perThread + 1L);
            assertThat(transactions).as("transactions for %d appends", threads * perThread)
                .isLessThan(threads * perThread);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aMailboxWithoutARowContinuesFromJamesCounters() throws Exception {
        Mailbox mailbox = newMailbox();
        UidProvider jamesUids = new CassandraUidProvider(session, CONFIGURATION);
        ModSeqProvider jamesModSeqs = new CassandraModSeqProvider(session, CONFIGURATION);
        jamesUids.nextUid(mailbox);
        jamesUids.nextUid(mailbox);
        jamesModSeqs.nextModSeq(mailbox);
        jamesModSeqs.nextModSeq(mailbox);
        jamesModSeqs.nextModSeq(mailbox);
        Node node = new Node();

        assertThat(node.uids.lastUid(mailbox)).contains(MessageUid.of(2));
        assertThat(node.modSeqs.highestModSeq(mailbox)).isEqualTo(ModSeq.of(3));
        assertThat(node.sequences.advance(id(mailbox), 1, 1).block()).isEqualTo(new MailboxSequences.Given(3, 4));
        assertThat(node.uids.nextUid(mailbox)).isEqualTo(MessageUid.of(4));
        assertThat(new Node().modSeqs.nextModSeq(mailbox)).isEqualTo(ModSeq.of(5));
    }

    private static Callable<List<MailboxSequences.Given>> allocations(Node node, Mailbox mailbox, int uids, int modSeqs,
                                                                    int count) {
        return () -> {
            List<MailboxSequences.Given> given = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                given.add(node.allocate(mailbox, uids, modSeqs));
            }
            return given;
        };
    }

    private static UUID id(Mailbox mailbox) {
        return ((CassandraId) mailbox.getMailboxId()).asUuid();
    }

    private static Mailbox newMailbox() {
        return new Mailbox(MailboxPath.forUser(Username.of("user@sequences.test"), "INBOX"),
            UidValidity.of(42), CassandraId.timeBased());
    }

    /** One node's sequences and providers, as the cluster profile wires them. */
    private static final class Node {
        final MailboxSequences sequences = new MailboxSequences(session);
        final UidProvider uids = CounterUidProvider.of(sequences, CONFIGURATION);
        final ModSeqProvider modSeqs = CounterModSeqProvider.of(sequences, CONFIGURATION);

        /** Through the providers (with their lost-race retries) where one value is asked, as James asks. */
        MailboxSequences.Given allocate(Mailbox mailbox, int uids, int modSeqs) throws Exception {
            if (modSeqs == 0) {
                return new MailboxSequences.Given(this.uids.nextUid(mailbox).asLong(), 0);
            }
            if (uids == 0) {
                return new MailboxSequences.Given(0, this.modSeqs.nextModSeq(mailbox).asLong());
            }
            return CappedBackoff.of("UID and MODSEQ", CONFIGURATION.getUidMaxRetry())
                .retry(sequences.advance(id(mailbox), uids, modSeqs)).block();
        }
    }
}
