package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.gateway.queue.cassandra.CassandraExtension;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.RawConnection;
import dev.gateway.testkit.SmtpSession;
import dev.gateway.testkit.WebAdminClient;

/**
 * Issue 16: a RabbitMQ outage under two cluster-profile nodes (docs/storage-cassandra.md, "A broker outage"). With
 * the broker stopped, an IMAP APPEND and an SMTP delivery to a local mailbox finish within seconds, each message is
 * stored exactly once (counted by Message-ID over IMAP), the node still serves IMAP (SELECT, SEARCH), and what could
 * not be published waits in the dead letters. Once the broker is back the nodes reconnect by themselves ("RabbitMQ
 * backend" healthy on both), the dead letters are redelivered, and node A publishes again.
 *
 * <p>And node B's sessions hear of node A's changes again: an IDLE session on B opened before the outage and kept
 * through it, and a session opened after it. Without {@code KeyEventsAfterReconnection} neither does (James 3.8.1's
 * {@code KeyRegistrationHandler.restart()}, run on reconnection, disposes the consumer of the node's queue and starts
 * none): B heard nothing for three minutes.
 *
 * <p>And no consumer is left over from before the outage: node B's pool is made to open a new connection before the
 * client recovers the old one by itself, and the broker must show one consumer per node on each queue ({@code
 * ReplacedConnections}: without it each queue had a second, dead consumer from the recovered old connection, and B's
 * sessions lost every other event). Then B's own queue is deleted under its consumer, which must set itself up again.
 *
 * <p>Without {@code OutageTolerantEventBus} the APPEND is still unanswered after 20 s (James 3.8.1 answers NO after
 * about 300 s, the message stored) and the SMTP delivery stays in the spool, to be stored again by each retry.
 */
class BrokerOutageIT {

    private static final String ALICE = "outage@" + GatewayProcess.DOMAIN;
    private static final String PASSWORD = "broker-outage-secret";
    /** A few seconds for a mailbox operation during the outage (rabbitmq.properties waits 3 s at most), loaded machine. */
    private static final Duration PROMPT = Duration.ofSeconds(15);
    /** Accepted mail through the spool and into the INBOX on a loaded machine. */
    private static final Duration DELIVERED = Duration.ofSeconds(45);
    private static final Pattern EXISTS = Pattern.compile("(?m)^\\* (\\d+) EXISTS\\r\\n");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** James's names: {@code NamingStrategy} for the mailbox events. */
    private static final String GROUP_QUEUE = "mailboxEvent-workQueue-";
    private static final String NODE_QUEUE = "mailboxEvent-eventbus-";
    /** Logged by James's {@code SimpleConnectionPool} when it opens a new connection in place of a closed one. */
    private static final String POOL_REPLACED_CONNECTION = "Replacing current RabbitMQ connection";
    /** Logged by Gateway's {@code ReplacedConnections} once it closed that old connection. */
    private static final String REPLACED_CONNECTION_CLOSED = "The broker connection replaced on reconnection is closed";

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    private static RabbitMQ broker;
    private static GatewayProcess nodeA;
    private static GatewayProcess nodeB;
    private static SSLContext tlsA;
    private static SSLContext tlsB;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        broker = RabbitMQ.start();
        Map<String, String> environment = new HashMap<>(ClusterProfile.withoutSpam(CASSANDRA.server(), "broker_outage"));
        environment.putAll(broker.gatewayEnvironment());
        // Two nodes creating a keyspace on a shared 2-core machine: 120 s and 170 s were seen too short (load 17-20).
        environment.put("GATEWAY_START_TIMEOUT", "420");
        nodeA = GatewayProcess.start(ALICE, PASSWORD, environment);
        nodeB = GatewayProcess.startWithoutProvisioning(environment);
        tlsA = nodeA.trustingServerCertificate();
        tlsB = nodeB.trustingServerCertificate();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            GatewayProcess.closeAll(nodeA, nodeB);
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }

    @Test
    void aBrokerOutageNeitherHangsNorDuplicatesMailAndTheNodesReconnect() throws Exception {
        // Before: events flow, so that what follows is the outage's doing.
        assertThat(idleOnBSeesAnAppendThroughA(Duration.ofSeconds(5))).as("IDLE on B with the broker up").isTrue();
        try (RawConnection spanning = ImapSessions.loggedIn(nodeB, tlsB, ALICE, PASSWORD)) {
            spanning.send("s1 SELECT INBOX\r\n");
            String selected = spanning.lineStartingWith("s1 ");
            assertThat(selected).contains("s1 OK");
            spanning.send("s2 IDLE\r\n");
            spanning.lineStartingWith("+ ");
            StringBuilder heard = new StringBuilder(selected);

            outageAndRecovery(heard, spanning);

            // The session on B that lived through the outage hears A's next APPEND (a higher EXISTS than it said last:
            // its count misses what A stored during the outage, which it was never told of).
            heard.append(spanning.drain(Duration.ofMillis(300)));
            int lastSaid = lastExists(heard);
            appendThroughA(messageId("heard"), "p3");
            long heardStarted = System.nanoTime();
            Awaitility.await("B's IDLE session, opened before the outage, to hear an APPEND through A")
                .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1))
                .until(() -> lastExists(heard.append(spanning.drain(Duration.ofMillis(100)))) > lastSaid);
            System.out.printf("After the broker was back: B's IDLE session from before the outage heard A's APPEND after %d ms%n",
                (System.nanoTime() - heardStarted) / 1_000_000);
        }
        Map<String, Integer> consumers = broker.consumersByQueue();
        assertThat(consumersAsExpected(consumers)).as("consumers by queue once B heard A: %s", consumers).isTrue();

        if (Files.readString(nodeB.log()).contains(POOL_REPLACED_CONNECTION)) {
            // B's own queue, auto-delete, deleted under the consumer Gateway started on reconnection (as it may go
            // with the last consumer of a closed connection): the broker cancels the consumer, which sets itself up
            // again. The session opened below hears A only if it did.
            Matcher reconnected = Pattern.compile("Reconnected to the broker: queue (\\S+) declared").matcher(Files.readString(nodeB.log()));
            assertThat(reconnected.find()).as("B's log names its queue").isTrue();
            broker.deleteQueue(reconnected.group(1));
            Awaitility.await("B to consume its queue again").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.readString(nodeB.log()).contains("Consuming again to the broker: queue " + reconnected.group(1)));
            Awaitility.await("one consumer per node on every queue again").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    Map<String, Integer> again = broker.consumersByQueue();
                    assertThat(consumersAsExpected(again)).as("consumers by queue: %s", again).isTrue();
                });
        }
        // And a session opened on B after the outage.
        assertThat(idleOnBSeesAnAppendThroughA(Duration.ofSeconds(10))).as("IDLE on B opened after the outage").isTrue();
    }

    private void outageAndRecovery(StringBuilder heard, RawConnection spanning) throws Exception {
        broker.stopForOutage();

        String appended = messageId("appended");
        long appendMillis;
        try (RawConnection imap = ImapSessions.loggedIn(nodeA, tlsA, ALICE, PASSWORD)) {
            byte[] message = (SmtpSession.message("carol@sender.test", ALICE, "appended during the outage")
                .replace("\r\n\r\n", "\r\nMessage-ID: " + appended + "\r\n\r\n")).getBytes(StandardCharsets.UTF_8);
            long started = System.nanoTime();
            imap.send("p1 APPEND INBOX {" + message.length + "}\r\n");
            imap.lineStartingWith("+");
            imap.send(message);
            imap.send("\r\n");
            // RawConnection gives up after 20 s of silence: James 3.8.1 is silent for ~300 s here.
            String answer = imap.lineStartingWith("p1 ");
            appendMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(answer).as("APPEND during the outage").contains("p1 OK");
        }
        System.out.printf("During the broker outage: APPEND answered OK after %d ms%n", appendMillis);
        assertThat(Duration.ofMillis(appendMillis)).as("APPEND during the outage took %d ms", appendMillis)
            .isLessThan(PROMPT);

        String delivered = messageId("delivered");
        long smtpStarted = System.nanoTime();
        try (SmtpSession smtp = SmtpSession.connect(nodeA, GatewayProcess.Port.SMTP, tlsA)) {
            smtp.ehlo("sender.test");
            String raw = SmtpSession.message("carol@sender.test", ALICE, "delivered during the outage")
                .replace("\r\n\r\n", "\r\nMessage-ID: " + delivered + "\r\n\r\n");
            assertThat(smtp.send("carol@sender.test", raw, ALICE)).startsWith("250");
        }
        // The positive marker that local delivery finished on whichever node took it: nothing left in the spool
        // (James 3.8.1 keeps it there for 5 minutes, then stores it again at each retry).
        WebAdminClient adminA = new WebAdminClient(nodeA);
        Awaitility.await("the delivery to finish during the outage").atMost(DELIVERED).pollInterval(Duration.ofMillis(200))
            .until(() -> countOnA(delivered) >= 1 && adminA.nothingQueuedOrParked());
        long deliveryMillis = (System.nanoTime() - smtpStarted) / 1_000_000;

        // The node still serves IMAP during the outage (SELECT registers the session with the broker).
        long selectStarted = System.nanoTime();
        int appendedCopies = countOnA(appended);
        long selectMillis = (System.nanoTime() - selectStarted) / 1_000_000;
        assertThat(appendedCopies).as("copies of the message appended during the outage").isEqualTo(1);
        assertThat(countOnA(delivered)).as("copies of the message delivered during the outage").isEqualTo(1);
        assertThat(Duration.ofMillis(selectMillis)).as("LOGIN+SELECT+SEARCH during the outage took %d ms", selectMillis)
            .isLessThan(PROMPT);
        System.out.printf("During the broker outage: APPEND %d ms, SMTP accepted to delivered %d ms, LOGIN+SELECT+SEARCH %d ms%n",
            appendMillis, deliveryMillis, selectMillis);

        // What node A could not publish waits in its dead letters, under James's dispatching-failure group.
        JsonNode groups = JSON.readTree(new WebAdminClient(nodeA).getText("/events/deadLetter/groups"));
        assertThat(groups.toString()).as("node A's dead letter groups").contains("org.apache.james.events.DispatchingFailureGroup");

        broker.startAgain();

        // The nodes reconnect by themselves: James's "RabbitMQ backend" check turns healthy on both. Node B is asked
        // at once and often: its pool then opens a new connection before the client recovers the old one by itself
        // (it tries every 5 s), the way that left a second, dead consumer on each queue when the old one was
        // recovered too (every other event for B's sessions lost). Either way, the counts below must hold.
        long reconnectStarted = System.nanoTime();
        Awaitility.await("both nodes to reconnect to the broker").atMost(Duration.ofMinutes(3))
            .pollInterval(Duration.ofMillis(100))
            .ignoreExceptions()
            .untilAsserted(() -> assertThat(new String[] {healthOf(nodeB, "RabbitMQ backend"), healthOf(nodeA, "RabbitMQ backend")})
                .as("RabbitMQ backend on B, then on A").containsOnly("healthy"));
        long reconnectMillis = (System.nanoTime() - reconnectStarted) / 1_000_000;
        boolean bReplacedItsConnection = Files.readString(nodeB.log()).contains(POOL_REPLACED_CONNECTION);

        // One consumer per node on each group's queue and one on each node's own queue: none left over from before
        // the outage. A node whose pool opened a new connection logs that it closed the old one, after which the
        // old one's consumers cannot come back: the counts are read once every such node said so.
        for (GatewayProcess node : new GatewayProcess[] {nodeA, nodeB}) {
            if (Files.readString(node.log()).contains(POOL_REPLACED_CONNECTION)) {
                Awaitility.await("the node to close the connection its pool replaced").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> Files.readString(node.log()).contains(REPLACED_CONNECTION_CLOSED));
            }
        }
        Awaitility.await("one consumer per node on every queue").atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(200))
            .untilAsserted(() -> {
                Map<String, Integer> consumers = broker.consumersByQueue();
                assertThat(consumersAsExpected(consumers)).as("consumers by queue: %s", consumers).isTrue();
            });
        System.out.printf("After the broker was back: node B reconnected by %s; consumers by queue %s%n",
            bReplacedItsConnection ? "a new connection from its pool" : "the client's own recovery", broker.consumersByQueue());

        // What waited in the dead letters is redelivered to every group, through the broker.
        HttpResponse<String> redelivery = new WebAdminClient(nodeA).post("/events/deadLetter?action=reDeliver", "application/json", "");
        assertThat(redelivery.statusCode()).as(redelivery.body()).isEqualTo(201);
        String task = JSON.readTree(redelivery.body()).get("taskId").asText();
        assertThat(new WebAdminClient(nodeA).get("/tasks/" + task + "/await").get("status").asText()).isEqualTo("completed");
        assertThat(JSON.readTree(new WebAdminClient(nodeA).getText("/events/deadLetter/groups"))).as("dead letters after redelivery").isEmpty();

        // And node A publishes again: an APPEND answered OK (its event dispatched first) leaves no dead letter.
        appendThroughA(messageId("after"), "p2");
        assertThat(JSON.readTree(new WebAdminClient(nodeA).getText("/events/deadLetter/groups"))).as("dead letters after a new APPEND").isEmpty();
        System.out.printf("After the broker was back: both nodes healthy after %d ms%n", reconnectMillis);

        assertThat(countOnA(appended)).as("copies after the outage").isEqualTo(1);
        assertThat(countOnA(delivered)).as("copies after the outage").isEqualTo(1);
        heard.append(spanning.drain(Duration.ofMillis(10)));
    }

    private static void appendThroughA(String messageId, String tag) throws Exception {
        try (RawConnection imap = ImapSessions.loggedIn(nodeA, tlsA, ALICE, PASSWORD)) {
            byte[] message = (SmtpSession.message("carol@sender.test", ALICE, "appended after the outage")
                .replace("\r\n\r\n", "\r\nMessage-ID: " + messageId + "\r\n\r\n")).getBytes(StandardCharsets.UTF_8);
            imap.send(tag + " APPEND INBOX {" + message.length + "}\r\n");
            imap.lineStartingWith("+");
            imap.send(message);
            imap.send("\r\n");
            assertThat(imap.lineStartingWith(tag + " ")).contains(tag + " OK");
        }
    }

    /** Two nodes: two consumers on each group listener's queue, one on each node's own queue, and two such queues. */
    private static boolean consumersAsExpected(Map<String, Integer> consumers) {
        long groupQueues = consumers.keySet().stream().filter(name -> name.startsWith(GROUP_QUEUE)).count();
        long nodeQueues = consumers.keySet().stream().filter(name -> name.startsWith(NODE_QUEUE)).count();
        return groupQueues > 0 && nodeQueues == 2
            && consumers.entrySet().stream().allMatch(queue -> !queue.getKey().startsWith(GROUP_QUEUE) || queue.getValue() == 2)
            && consumers.entrySet().stream().allMatch(queue -> !queue.getKey().startsWith(NODE_QUEUE) || queue.getValue() == 1);
    }

    /** The last {@code * N EXISTS} in what a session said, -1 if none. */
    private static int lastExists(CharSequence said) {
        Matcher exists = EXISTS.matcher(said);
        int last = -1;
        while (exists.find()) {
            last = Integer.parseInt(exists.group(1));
        }
        return last;
    }

    /** Selects the INBOX on node B, IDLEs, appends through node A; whether B said EXISTS for it within {@code within}. */
    private static boolean idleOnBSeesAnAppendThroughA(Duration within) throws Exception {
        try (RawConnection idle = ImapSessions.loggedIn(nodeB, tlsB, ALICE, PASSWORD)) {
            idle.send("a2 SELECT INBOX\r\n");
            String selected = idle.lineStartingWith("a2 ");
            Matcher before = EXISTS.matcher(selected);
            if (!selected.contains("a2 OK") || !before.find()) {
                return false;
            }
            int exists = Integer.parseInt(before.group(1));
            idle.send("i1 IDLE\r\n");
            idle.lineStartingWith("+ ");

            try (RawConnection imap = ImapSessions.loggedIn(nodeA, tlsA, ALICE, PASSWORD)) {
                byte[] message = SmtpSession.message("carol@sender.test", ALICE, "idle probe").getBytes(StandardCharsets.UTF_8);
                imap.send("p1 APPEND INBOX {" + message.length + "}\r\n");
                imap.lineStartingWith("+");
                imap.send(message);
                imap.send("\r\n");
                assertThat(imap.lineStartingWith("p1 ")).contains("p1 OK");
            }
            StringBuilder told = new StringBuilder();
            long deadline = System.nanoTime() + within.toNanos();
            Pattern next = Pattern.compile("(?m)^\\* " + (exists + 1) + " EXISTS\\r\\n");
            while (System.nanoTime() < deadline) {
                told.append(idle.drain(Duration.ofMillis(100)));
                if (next.matcher(told).find()) {
                    return true;
                }
            }
            return false;
        }
    }

    /** How many messages of the INBOX carry this Message-ID, over a new IMAP session on node A. */
    private static int countOnA(String messageId) throws Exception {
        try (RawConnection imap = ImapSessions.loggedIn(nodeA, tlsA, ALICE, PASSWORD)) {
            imap.send("c1 SELECT INBOX\r\n");
            assertThat(imap.lineStartingWith("c1 ")).contains("c1 OK");
            imap.send("c2 SEARCH HEADER Message-ID \"" + messageId + "\"\r\n");
            String found = imap.lineStartingWith("c2 ");
            assertThat(found).contains("c2 OK");
            Matcher search = Pattern.compile("(?m)^\\* SEARCH([ \\d]*)\\r\\n").matcher(found);
            assertThat(search.find()).as(found).isTrue();
            String numbers = search.group(1).trim();
            return numbers.isEmpty() ? 0 : numbers.split(" +").length;
        }
    }

    private static String messageId(String what) {
        return "<" + what + "-" + UUID.randomUUID() + "@sender.test>";
    }

    /**
     * The status of one entry of WebAdmin's /healthcheck (which answers 503 while an entry is unhealthy), with its
     * cause when it is not healthy, so that a timeout says why.
     */
    private static String healthOf(GatewayProcess node, String component) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + node.port(GatewayProcess.Port.WEBADMIN) + "/healthcheck")).build(), HttpResponse.BodyHandlers.ofString());
        for (JsonNode check : JSON.readTree(response.body()).get("checks")) {
            if (component.equals(check.get("componentName").asText())) {
                String status = check.get("status").asText();
                return "healthy".equals(status) ? status : status + " (" + check.path("cause").asText() + ")";
            }
        }
        throw new AssertionError("no " + component + " in " + response.body());
    }
}
