package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;

import org.apache.commons.io.FileUtils;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;

import dev.gateway.queue.cassandra.CassandraExtension;
import dev.gateway.queue.cassandra.QueueTables;

import dev.gateway.testkit.GatewayProcess;

/**
 * Two gateway processes on one Cassandra keyspace consume one spool: node B, started after A, gets its share of the
 * spool's shards, and mail accepted by node A is delivered by A or B, exactly once while both run. Then A is killed
 * with SIGKILL under load (frozen with SIGSTOP first, to read which shards it holds and what is queued in them), and B
 * takes A's shards over once their leases run out and delivers what was left in them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CassandraQueueTwoNodesIT {

    private static final String USER = "nodes@" + GatewayProcess.DOMAIN;
    private static final String PASSWORD = "nodes-secret-1";
    private static final String KEYSPACE = "two_nodes";
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Pattern NODE = Pattern.compile("Cassandra mail queues: node (\\S+),");
    private static final Pattern SUBJECT = Pattern.compile("(?m)^Subject: (\\S+)\r?$");

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    private static Path configuration;
    private static GatewayProcess nodeA;
    private static GatewayProcess nodeB;

    @BeforeAll
    static void start() throws Exception {
        configuration = DeliveredToDisk.configuration(Path.of(System.getProperty("gateway.source", "..")).toAbsolutePath());
        Map<String, String> environment = CassandraQueueGateway.environment(CASSANDRA.server(), KEYSPACE, configuration);
        environment.put("GATEWAY_QUEUE_LEASE", LEASE.toSeconds() + "s");
        nodeA = GatewayProcess.start(USER, PASSWORD, environment);
        nodeB = GatewayProcess.start(USER, PASSWORD, environment);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            GatewayProcess.closeAll(nodeA, nodeB);
        } finally {
            FileUtils.deleteDirectory(configuration.toFile());
        }
    }

    @Test
    @Order(1)
    void bothNodesConsumeOneQueueAndNothingIsDeliveredTwice() throws Exception {
        try (CqlSession cassandra = CASSANDRA.server().session(KEYSPACE, QueueTables.MODULE)) {
            // B started after A, which took every shard while alone: A hands B its share within a few lease renewals.
            Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                .until(() -> !shardsOf(cassandra, owner(nodeB)).isEmpty() && !shardsOf(cassandra, owner(nodeA)).isEmpty());
        }
        SmtpLoad.Outcome sent = SmtpLoad.send(nodeA, nodeA.trustingServerCertificate(), "shared", 400, 6, USER, any -> true);
        assertThat(sent.accepted()).hasSize(400);

        Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
            .until(() -> deliveredAnywhere("shared-").keySet().containsAll(sent.accepted()));

        Map<String, Integer> byA = only(DeliveredToDisk.subjects(nodeA.home()), "shared-");
        Map<String, Integer> byB = only(DeliveredToDisk.subjects(nodeB.home()), "shared-");
        Map<String, Integer> total = deliveredAnywhere("shared-");
        System.out.printf("Two nodes, one queue: 400 accepted by node A; delivered by A %d, by B %d, distinct %d, "
            + "more than once %d%n", byA.size(), byB.size(), total.size(), total.values().stream().filter(n -> n > 1).count());
        assertThat(total.keySet()).isEqualTo(sent.accepted());
        assertThat(total.values()).as("no message delivered twice while both nodes run").containsOnly(1);
        assertThat(byB).as("node B takes mail that node A accepted").isNotEmpty();
        assertThat(byA).as("node A delivers too").isNotEmpty();
    }

    @Test
    @Order(2)
    void theShardsOfAKilledNodeAreTakenOverAndTheirMailDeliveredByTheOther() throws Exception {
        SSLContext tls = nodeA.trustingServerCertificate();
        String ownerA = owner(nodeA);
        String ownerB = owner(nodeB);
        // Mail keeps flowing into A until A dies; the load then ends on its own (A stops answering).
        AtomicBoolean loading = new AtomicBoolean(true);
        CompletableFuture<SmtpLoad.Outcome> load = CompletableFuture.supplyAsync(() -> {
            try {
                return SmtpLoad.send(nodeA, tls, "failover", 100_000, 6, USER, accepted -> loading.get());
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        try (CqlSession cassandra = CASSANDRA.server().session(KEYSPACE, QueueTables.MODULE)) {
            // A is frozen (it can neither deliver nor renew anything), looked at, and killed once mail is queued in
            // its shards, or thawed to try again.
            Set<Integer> shardsOfA = new HashSet<>();
            Set<String> queuedInShardsOfA = new HashSet<>();
            long[] frozenAt = new long[1];
            try {
                Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    nodeA.freeze();
                    frozenAt[0] = System.currentTimeMillis();
                    Set<Integer> held = shardsOf(cassandra, ownerA);
                    Set<String> queued = subjectsQueuedIn(cassandra, held);
                    // A mail A delivered just before the freeze can still show in the queue: its acknowledgement
                    // (a delete) may reach Cassandra after this read. It is done; only what A never delivered
                    // is B's to take over.
                    queued.removeAll(DeliveredToDisk.subjects(nodeA.home()).keySet());
                    if (queued.isEmpty()) {
                        nodeA.thaw();
                        return false;
                    }
                    shardsOfA.addAll(held);
                    queuedInShardsOfA.addAll(queued);
                    return true;
                });
                nodeA.kill();
            } finally {
                loading.set(false);
            }
            // A stopped renewing its leases when it was frozen, an instant before the kill.
            long killedAt = frozenAt[0];
            SmtpLoad.Outcome sent = load.get();

            // Wait for the take-over too: the mail queued in A's shards may be only mail A never answered (the freeze
            // came between its enqueue and its 250), which the accepted set does not cover.
            Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
                .until(() -> deliveredAnywhere("failover-").keySet().containsAll(sent.accepted())
                    && deliveryTimes(nodeB.home()).keySet().containsAll(queuedInShardsOfA));

            Map<String, Long> deliveredByBAt = deliveryTimes(nodeB.home());
            long earliestTakeover = queuedInShardsOfA.stream()
                .filter(deliveredByBAt::containsKey)
                .mapToLong(subject -> deliveredByBAt.get(subject) - killedAt)
                .min().orElse(-1);
            Map<String, Integer> total = deliveredAnywhere("failover-");
            Set<Integer> shardsOfB = shardsOf(cassandra, ownerB);
            System.out.printf("Fail-over: node A killed holding shards %s (%d mails queued in them); %d accepted by A in all;"
                    + " node B delivered that mail from %d ms after the kill (lease %d s) and now holds shards %s; delivered"
                    + " distinct %d, more than once %d, lost %d%n",
                shardsOfA, queuedInShardsOfA.size(), sent.accepted().size(), earliestTakeover, LEASE.toSeconds(), shardsOfB,
                total.size(), total.values().stream().filter(n -> n > 1).count(),
                sent.accepted().stream().filter(subject -> !total.containsKey(subject)).count());

            assertThat(total.keySet()).as("every message answered 250 is delivered").containsAll(sent.accepted());
            assertThat(deliveredByBAt.keySet()).as("node B delivered what was queued in A's shards").containsAll(queuedInShardsOfA);
            assertThat(shardsOfB).as("node B took A's shards over").containsAll(shardsOfA);
            // A renewed its leases three times per lease, so at the kill each had at least two thirds left.
            assertThat(earliestTakeover).isGreaterThanOrEqualTo(LEASE.toMillis() * 2 / 3 - 1000);
        }
    }

    private static Map<String, Integer> deliveredAnywhere(String prefix) throws Exception {
        Map<String, Integer> total = new HashMap<>(only(DeliveredToDisk.subjects(nodeA.home()), prefix));
        only(DeliveredToDisk.subjects(nodeB.home()), prefix).forEach((subject, times) -> total.merge(subject, times, Integer::sum));
        return total;
    }

    private static Map<String, Integer> only(Map<String, Integer> subjects, String prefix) {
        Map<String, Integer> filtered = new HashMap<>();
        subjects.forEach((subject, times) -> {
            if (subject.startsWith(prefix)) {
                filtered.put(subject, times);
            }
        });
        return filtered;
    }

    private static String owner(GatewayProcess node) throws Exception {
        Matcher matcher = NODE.matcher(Files.readString(node.log()));
        if (!matcher.find()) {
            throw new IllegalStateException("node name not logged in " + node.log());
        }
        return matcher.group(1);
    }

    /** The shards of the spool whose lease a node holds right now. */
    private static Set<Integer> shardsOf(CqlSession cassandra, String owner) {
        Set<Integer> shards = new HashSet<>();
        for (Row row : cassandra.execute("SELECT " + QueueTables.QUEUE + ", " + QueueTables.SHARD + ", " + QueueTables.OWNER
            + " FROM " + QueueTables.LEASES)) {
            if ("spool".equals(row.getString(QueueTables.QUEUE)) && owner.equals(row.getString(QueueTables.OWNER))) {
                shards.add(row.getInt(QueueTables.SHARD));
            }
        }
        return shards;
    }

    /** The subjects of the mails queued in these shards of the spool, read from their stored bytes. */
    private static Set<String> subjectsQueuedIn(CqlSession cassandra, Set<Integer> shards) {
        Set<String> subjects = new HashSet<>();
        for (Row row : cassandra.execute("SELECT " + QueueTables.QUEUE + ", " + QueueTables.SHARD + ", " + QueueTables.BLOB_ID
            + ", " + QueueTables.CONTENT + " FROM " + QueueTables.MAILS)) {
            if ("spool".equals(row.getString(QueueTables.QUEUE)) && shards.contains(row.getInt(QueueTables.SHARD))) {
                ByteBuffer data = row.getByteBuffer(QueueTables.CONTENT);
                if (data == null) {
                    Row chunk = cassandra.execute("SELECT data FROM " + QueueTables.BLOBS + " WHERE blob = ? AND chunk = 0",
                        row.getUuid(QueueTables.BLOB_ID)).one();
                    data = chunk == null ? null : chunk.getByteBuffer("data");
                }
                if (data != null) {
                    Matcher subject = SUBJECT.matcher(StandardCharsets.ISO_8859_1.decode(data).toString());
                    if (subject.find()) {
                        subjects.add(subject.group(1));
                    }
                }
            }
        }
        return subjects;
    }

    /** When each subject was first written to a node's delivered repository (ms since the epoch). */
    private static Map<String, Long> deliveryTimes(Path home) throws Exception {
        Map<String, Long> times = new HashMap<>();
        DeliveredToDisk.deliveries(home).forEach(delivery -> times.merge(delivery.subject(), delivery.at(), Math::min));
        return times;
    }
}
