package dev.gateway.storage.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.james.backends.cassandra.components.CassandraModule;
import org.apache.james.backends.cassandra.init.configuration.CassandraConfiguration;
import org.apache.james.mailbox.cassandra.ids.CassandraId;
import org.apache.james.mailbox.cassandra.modules.CassandraModSeqModule;
import org.apache.james.mailbox.cassandra.modules.CassandraUidModule;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.datastax.oss.driver.api.core.CqlSession;

import dev.gateway.queue.cassandra.CassandraCounts;
import dev.gateway.queue.cassandra.CassandraExtension;
import dev.gateway.storage.cassandra.MailboxSequences.Given;
import dev.gateway.storage.cassandra.SequencesLease.Mode;
import dev.gateway.testsupport.ManualClock;

/**
 * The keyspace's sequences lease and the blocks it allows, on a real Cassandra. Each "node" is a
 * {@link KeyspaceSequencesLease} and a {@link MailboxSequences} of its own on one keyspace; the test renews each
 * node's entry itself, at times it sets, so that a node "paused" is one the test does not renew.
 */
class KeyspaceSequencesLeaseIT {

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    private static final String KEYSPACE = "sequences_lease";
    private static final CassandraConfiguration CONFIGURATION = CassandraConfiguration.DEFAULT_CONFIGURATION;
    private static CqlSession session;

    /** Every node's wall clock, and its monotonic clock too: moved by the test only. */
    private final ManualClock clock = new ManualClock();

    @BeforeAll
    static void openSession() {
        session = CASSANDRA.server().session(KEYSPACE, CassandraModule.aggregateModules(
            CassandraUidModule.MODULE, CassandraModSeqModule.MODULE, MailboxSequences.MODULE,
            KeyspaceSequencesLease.MODULE));
    }

    @AfterAll
    static void closeSession() {
        session.close();
    }

    @BeforeEach
    void noLease() {
        session.execute("DELETE FROM " + KeyspaceSequencesLease.TABLE + " WHERE id = 'sequences'");
    }

    /**
     * Alone, a node gives 200 appends their values with a handful of transactions, every value once and ascending,
     * and the last values it reports are the ones it gave, not the end of its block.
     */
    @Test
    void aNodeAloneGivesValuesOutOfBlocksAndReportsWhatItGave() throws Exception {
        Node node = new Node("alone");
        node.lease.renew();
        assertThat(node.lease.now().mode()).isEqualTo(Mode.EXCLUSIVE);
        UUID mailbox = CassandraId.timeBased().asUuid();

        long readsBefore = CassandraCounts.localReads(session, KEYSPACE, MailboxSequences.TABLE);
        List<Given> given = new ArrayList<>();
        for (int append = 1; append <= 200; append++) {
            given.add(node.allocate(mailbox, 1, 1));
            assertThat(node.sequences.last(mailbox, true).block()).isEqualTo(given.get(given.size() - 1));
        }
        long transactions = CassandraCounts.localReads(session, KEYSPACE, MailboxSequences.TABLE) - readsBefore;

        assertThat(given.stream().map(Given::uid).toList()).isSorted().doesNotHaveDuplicates();
        assertThat(given.get(0)).isEqualTo(new Given(1, 1));
        assertThat(given.get(199)).isEqualTo(new Given(200, 200));
        // A row read, then one transaction per block of 64 (each reads the row once): 5 in all.
        assertThat(transactions).as("transactions and reads of the row for 200 appends").isLessThanOrEqualTo(5);
    }

    /** Eight threads of the holder at once: every value once, each thread's ascending, none skipped within a term. */
    @Test
    void concurrentAllocationsOfTheHolderGiveEveryValueOnce() throws Exception {
        Node node = new Node("holder");
        node.lease.renew();
        UUID mailbox = CassandraId.timeBased().asUuid();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<Given>>> runs = new ArrayList<>();
            for (int thread = 0; thread < 8; thread++) {
                runs.add(pool.submit(() -> {
                    List<Given> ofThread = new ArrayList<>();
                    for (int i = 0; i < 40; i++) {
                        ofThread.add(node.allocate(mailbox, 1, 1));
                    }
                    return ofThread;
                }));
            }
            List<Long> uids = new ArrayList<>();
            for (Future<List<Given>> run : runs) {
                List<Long> ofThread = run.get().stream().map(Given::uid).toList();
                assertThat(ofThread).isSorted();
                uids.addAll(ofThread);
            }
            assertThat(uids).doesNotHaveDuplicates().hasSize(320);
            assertThat(uids.stream().mapToLong(Long::longValue).max()).hasValue(320);
            assertThat(node.sequences.last(mailbox, false).block()).isEqualTo(new Given(320, 320));
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A node that starts while another holds the lease waits; the holder gives it up at its next renewal, and the
     * new node's first value is above the holder's whole block, so every value seen later is above every one seen
     * before.
     */
    @Test
    void aNodeStartingWhileAnotherHoldsTheLeaseWaitsAndContinuesAboveTheBlock() throws Exception {
        Node holder = new Node("holder");
        holder.lease.renew();
        UUID mailbox = CassandraId.timeBased().asUuid();
        for (int append = 1; append <= 3; append++) {
            holder.allocate(mailbox, 1, 1);
        }

        Node starting = new Node("starting");
        starting.lease.renew();
        assertThat(starting.lease.now().mode()).isEqualTo(Mode.WAITING);
        CompletableFuture<Given> waiting = starting.sequences.advance(mailbox, 1, 1).toFuture();
        CompletableFuture<Given> readWaiting = starting.sequences.last(mailbox, false).toFuture();
        // The holder still gives from its block while the other waits; nothing can settle the other but a renewal.
        assertThat(holder.allocate(mailbox, 1, 1)).isEqualTo(new Given(4, 4));
        assertThat(waiting).isNotDone();
        assertThat(readWaiting).isNotDone();

        holder.lease.renew();
        assertThat(holder.lease.now().mode()).isEqualTo(Mode.SHARED);
        starting.lease.renew();
        assertThat(starting.lease.now().mode()).isEqualTo(Mode.SHARED);

        Given first = waiting.get(10, TimeUnit.SECONDS);
        // The holder's block ended at 1 + BLOCK: the values it did not give are skipped.
        assertThat(first.uid()).isGreaterThan(1 + MailboxSequences.BLOCK);
        assertThat(readWaiting.get(10, TimeUnit.SECONDS).uid()).isGreaterThanOrEqualTo(4);
        Given next = holder.allocate(mailbox, 1, 1);
        assertThat(next.uid()).isEqualTo(first.uid() + 1);
        assertThat(starting.sequences.last(mailbox, false).block()).isEqualTo(next);
    }

    /**
     * A holder not renewed in time stops giving values (even from its block); once its lease has lapsed in the wall
     * clock, the other node takes the lease and gives values above the block. The old holder, renewed again, waits
     * until the other gives the lease up, and then continues above the other's block.
     */
    @Test
    void aHolderPausedPastItsLeaseStopsAndTheOtherContinuesAboveItsBlock() throws Exception {
        Node paused = new Node("paused");
        paused.lease.renew();
        UUID mailbox = CassandraId.timeBased().asUuid();
        assertThat(paused.allocate(mailbox, 1, 1)).isEqualTo(new Given(1, 1));

        clock.advance(KeyspaceSequencesLease.LEASE.minus(KeyspaceSequencesLease.MARGIN).plusMillis(1));
        assertThat(paused.lease.now().mode()).isEqualTo(Mode.WAITING);
        CompletableFuture<Given> held = paused.sequences.advance(mailbox, 1, 1).toFuture();

        Node other = new Node("other");
        other.lease.renew();
        assertThat(other.lease.now().mode()).as("the lease has not lapsed for the others yet").isEqualTo(Mode.WAITING);
        clock.advance(KeyspaceSequencesLease.MARGIN.plus(KeyspaceSequencesLease.SKEW));
        other.lease.renew();
        assertThat(other.lease.now().mode()).isEqualTo(Mode.EXCLUSIVE);
        Given taken = other.allocate(mailbox, 1, 1);
        assertThat(taken.uid()).isGreaterThan(1 + MailboxSequences.BLOCK);
        assertThat(held).isNotDone();

        paused.lease.renew();
        assertThat(paused.lease.now().mode()).isEqualTo(Mode.WAITING);
        assertThat(held).isNotDone();
        other.lease.renew();
        assertThat(other.lease.now().mode()).isEqualTo(Mode.SHARED);
        paused.lease.renew();
        assertThat(paused.lease.now().mode()).isEqualTo(Mode.SHARED);

        Given resumed = held.get(10, TimeUnit.SECONDS);
        assertThat(resumed.uid()).isGreaterThan(taken.uid() + MailboxSequences.BLOCK - 1);
        assertThat(other.allocate(mailbox, 1, 1).uid()).isEqualTo(resumed.uid() + 1);
    }

    /** A node restarted under its name after a crash (nothing given up) holds the lease again at its first renewal. */
    @Test
    void aNodeRestartedUnderItsNameTakesItsLeaseBackAtOnce() throws Exception {
        Node before = new Node("restarted");
        before.lease.renew();
        UUID mailbox = CassandraId.timeBased().asUuid();
        Given lastBefore = null;
        for (int append = 1; append <= 5; append++) {
            lastBefore = before.allocate(mailbox, 1, 1);
        }

        Node after = new Node("restarted");
        after.lease.renew();

        assertThat(after.lease.now().mode()).isEqualTo(Mode.EXCLUSIVE);
        Given next = after.allocate(mailbox, 1, 1);
        assertThat(next.uid()).isGreaterThan(lastBefore.uid());
        assertThat(after.sequences.last(mailbox, false).block()).isEqualTo(next);
    }

    /**
     * A node that stops leaves the row, so the one left alone takes the lease at its next renewal; the block it held
     * in its earlier term is not used again, since the other node wrote between the two terms.
     */
    @Test
    void aNodeThatStopsLetsTheOtherTakeTheLeaseAtItsNextRenewal() {
        Node staying = new Node("staying");
        staying.lease.renew();
        UUID mailbox = CassandraId.timeBased().asUuid();
        assertThat(staying.allocate(mailbox, 1, 1)).isEqualTo(new Given(1, 1));
        Node leaving = new Node("leaving");
        leaving.lease.renew();
        staying.lease.renew();
        leaving.lease.renew();
        assertThat(staying.lease.now().mode()).isEqualTo(Mode.SHARED);
        assertThat(leaving.lease.now().mode()).isEqualTo(Mode.SHARED);
        Given ofLeaving = leaving.allocate(mailbox, 1, 1);
        assertThat(ofLeaving.uid()).isGreaterThan(1 + MailboxSequences.BLOCK);

        leaving.lease.close();
        assertThat(leaving.lease.now().mode()).isEqualTo(Mode.WAITING);
        staying.lease.renew();

        assertThat(staying.lease.now().mode()).isEqualTo(Mode.EXCLUSIVE);
        assertThat(staying.allocate(mailbox, 1, 1).uid()).isEqualTo(ofLeaving.uid() + 1);
    }

    /** A node with its lease and its sequences, on the test's time. */
    private final class Node {
        final KeyspaceSequencesLease lease;
        final MailboxSequences sequences;

        Node(String name) {
            lease = new KeyspaceSequencesLease(session, name, clock, () -> TimeUnit.MILLISECONDS.toNanos(clock.millis()));
            sequences = new MailboxSequences(session, lease);
        }

        /** With the providers' retries, as James's append asks. */
        Given allocate(UUID mailbox, int uids, int modSeqs) {
            return CappedBackoff.of("UID and MODSEQ", CONFIGURATION.getUidMaxRetry())
                .retry(sequences.advance(mailbox, uids, modSeqs)).block(Duration.ofSeconds(10));
        }
    }
}
