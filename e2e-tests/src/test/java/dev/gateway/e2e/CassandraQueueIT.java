package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

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

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;

import dev.gateway.queue.cassandra.CassandraExtension;
import dev.gateway.queue.cassandra.CassandraMailQueue;
import dev.gateway.queue.cassandra.CassandraMailQueueFactory;
import dev.gateway.queue.cassandra.QueueSettings;
import dev.gateway.queue.cassandra.QueueTables;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.WebAdminClient;

/**
 * A gateway on the Cassandra queue.
 *
 * <p>The promise behind a 250: 2000 messages are pushed over 8 SMTP sessions; the gateway is killed with SIGKILL
 * mid-stream, started again on the same Cassandra, and the rest of the 2000 are sent. Every message that was
 * answered 250 must be delivered, at least once; the counts are printed.
 *
 * <p>Management: WebAdmin lists, browses, flushes and deletes mail of a Cassandra queue filled by another node.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CassandraQueueIT {

    private static final String USER = "crash@" + GatewayProcess.DOMAIN;
    private static final String PASSWORD = "crash-secret-1";
    private static final String KEYSPACE = "single_node";
    private static final int MESSAGES = 2000;
    private static final int KILL_AFTER_ACCEPTED = 1000;
    private static final int QUEUED_AT_THE_KILL = 20;

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    private static Path configuration;
    private static GatewayProcess gateway;

    @BeforeAll
    static void start() throws Exception {
        configuration = DeliveredToDisk.configuration(Path.of(System.getProperty("gateway.source", "..")).toAbsolutePath());
        Map<String, String> environment = CassandraQueueGateway.environment(CASSANDRA.server(), KEYSPACE, configuration);
        // Mail the killed process held is taken again once its lease expires: keep the wait short.
        environment.put("GATEWAY_QUEUE_LEASE", "20s");
        // Two spool threads fall behind eight senders, so that the kill finds mail queued (the test's premise); with
        // twenty, delivery kept pace on a quiet machine and the queue was empty at the kill.
        environment.put("GATEWAY_SPOOLER_THREADS", "2");
        gateway = GatewayProcess.start(USER, PASSWORD, environment);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            GatewayProcess.closeAll(gateway);
        } finally {
            FileUtils.deleteDirectory(configuration.toFile());
        }
    }

    @Test
    @Order(1)
    void everyAcceptedMessageIsDeliveredAfterAKillDashNine() throws Exception {
        SSLContext tls = gateway.trustingServerCertificate();
        AtomicInteger acceptedSoFar = new AtomicInteger();
        CompletableFuture<SmtpLoad.Outcome> firstRun = CompletableFuture.supplyAsync(() -> {
            try {
                return SmtpLoad.send(gateway, tls, "crash", MESSAGES, 8, USER, accepted -> {
                    acceptedSoFar.set(accepted);
                    return true;
                });
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        WebAdminClient webAdmin = new WebAdminClient(gateway);
        Awaitility.await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(20))
            .until(() -> firstRun.isDone()
                || acceptedSoFar.get() >= KILL_AFTER_ACCEPTED && webAdmin.queueSize("spool") >= QUEUED_AT_THE_KILL);
        gateway.kill();
        assertThat(gateway.isRunning()).as("the gateway process is gone after kill -9").isFalse();
        SmtpLoad.Outcome before = firstRun.get();
        Map<String, Integer> deliveredBeforeRestart = DeliveredToDisk.subjects(gateway.home());

        gateway.startAgain(USER, PASSWORD);
        int firstRunSent = before.accepted().size() + before.refused().size() + before.unanswered().size();
        SmtpLoad.Outcome after = SmtpLoad.send(gateway, tls, "after", MESSAGES - firstRunSent, 8, USER, accepted -> true);

        Set<String> accepted = new HashSet<>(before.accepted());
        accepted.addAll(after.accepted());
        Awaitility.await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(2))
            .untilAsserted(() -> {
                Set<String> missing = new HashSet<>(accepted);
                missing.removeAll(DeliveredToDisk.subjects(gateway.home()).keySet());
                assertThat(missing).as("accepted but not delivered yet").isEmpty();
                assertThat(webAdmin.queueSize("spool")).as("spool size").isZero();
            });

        Map<String, Integer> delivered = DeliveredToDisk.subjects(gateway.home());
        long duplicated = delivered.values().stream().filter(times -> times > 1).count();
        long unansweredButDelivered = before.unanswered().stream().filter(delivered::containsKey).count();
        System.out.printf("Crash test: first run sent %d (250: %d, refused: %d, cut off unanswered: %d), %d delivered"
                + " before the kill; second run 250: %d; after restart delivered %d distinct, %d of them twice or more,"
                + " lost %d; %d unanswered at the kill were delivered anyway%n",
            before.accepted().size() + before.refused().size() + before.unanswered().size(), before.accepted().size(),
            before.refused().size(), before.unanswered().size(), deliveredBeforeRestart.size(), after.accepted().size(),
            delivered.size(), duplicated, accepted.stream().filter(subject -> !delivered.containsKey(subject)).count(),
            unansweredButDelivered);

        assertThat(before.accepted()).hasSizeGreaterThanOrEqualTo(KILL_AFTER_ACCEPTED);
        assertThat(firstRunSent).as("the kill came mid-stream").isLessThan(MESSAGES);
        assertThat(deliveredBeforeRestart.keySet()).as("some mail was still queued at the kill").isNotEqualTo(before.accepted());
        assertThat(delivered.keySet()).as("every message answered 250 is delivered").containsAll(accepted);
        assertThat(before.refused()).isEmpty();
        assertThat(after.refused()).isEmpty();
        assertThat(after.accepted()).hasSize(MESSAGES - firstRunSent);
    }

    @Test
    @Order(2)
    void webAdminListsBrowsesFlushesAndDeletesMailOfTheCassandraQueue() throws Exception {
        // Another node (this test's JVM) fills a queue that nobody consumes, through the same keyspace.
        try (CqlSession session = CASSANDRA.server().session(KEYSPACE, QueueTables.MODULE)) {
            CassandraMailQueueFactory otherNode = new CassandraMailQueueFactory(session, QueueSettings.DEFAULT,
                Clock.systemUTC(), new RawMailQueueItemDecoratorFactory());
            CassandraMailQueue held = otherNode.createQueue(MailQueueName.of("held"));
            held.enQueue(mail("now-1", "a@sender.example"));
            held.enQueue(mail("now-2", "b@sender.example"));
            held.enQueue(mail("later-1", "a@sender.example"), Duration.ofHours(1));
            held.enQueue(mail("later-2", "c@sender.example"), Duration.ofHours(2));
            otherNode.close();
        }
        WebAdminClient webAdmin = new WebAdminClient(gateway);

        assertThat(names(webAdmin.get("/mailQueues"))).contains("held", "spool", "outgoing");
        assertThat(webAdmin.queueSize("held")).isEqualTo(4);
        JsonNode delayed = webAdmin.get("/mailQueues/held/mails?delayed=true");
        assertThat(delayed.findValuesAsText("name")).containsExactly("later-1", "later-2");
        assertThat(delayed.findValuesAsText("nextDelivery")).hasSize(2);

        assertThat(webAdmin.patch("/mailQueues/held/mails?delayed=true", "{\"delayed\": \"false\"}")).isEqualTo(204);
        assertThat(webAdmin.get("/mailQueues/held/mails?delayed=true")).isEmpty();
        assertThat(webAdmin.get("/mailQueues/held/mails").findValuesAsText("name"))
            .containsExactly("now-1", "now-2", "later-1", "later-2");

        assertThat(webAdmin.deleteAndAwait("/mailQueues/held/mails?sender=a@sender.example")).isEqualTo("completed");
        assertThat(webAdmin.get("/mailQueues/held/mails").findValuesAsText("name")).containsExactly("now-2", "later-2");
        assertThat(webAdmin.deleteAndAwait("/mailQueues/held/mails?name=now-2")).isEqualTo("completed");
        assertThat(webAdmin.queueSize("held")).isEqualTo(1);
        assertThat(webAdmin.deleteAndAwait("/mailQueues/held/mails")).isEqualTo("completed");
        assertThat(webAdmin.queueSize("held")).isZero();
    }

    private static java.util.List<String> names(JsonNode array) {
        java.util.List<String> names = new java.util.ArrayList<>();
        array.forEach(name -> names.add(name.asText()));
        return names;
    }

    private static Mail mail(String name, String sender) throws Exception {
        return MailImpl.builder()
            .name(name)
            .sender(sender)
            .addRecipient("someone@elsewhere.example")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject(name).setText("queued by the test"))
            .build();
    }
}
