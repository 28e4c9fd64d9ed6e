package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.gateway.queue.cassandra.CassandraExtension;

import dev.gateway.testkit.FreePorts;
import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.SmtpSession;
import dev.gateway.testkit.WebAdminClient;

/**
 * The operators' smarthost outage, end to end on the cluster profile, through {@code bin/gateway queue} only:
 * mail for later.test and other.test waits for a smarthost on a loopback port where nothing listens; {@code queue
 * list --recipient-domain} shows later.test's; {@code hold} takes it out of delivery; {@code delete} (confirmed)
 * drops one other.test mail; the smarthost comes back (postfix's smtp-sink) and {@code flush} delivers what was not
 * held; held mail stays held across a restart; {@code release} and {@code flush} deliver it, each mail once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SmarthostOutageIT {

    private static final String ALICE = "alice@" + GatewayProcess.DOMAIN;
    private static final String PASSWORD = "outage test password";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration COMMAND = Duration.ofSeconds(60);

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    private GatewayProcess gateway;
    private Path table;
    private int smarthostPort;

    @BeforeAll
    void start() throws Exception {
        smarthostPort = FreePorts.one();
        table = Files.createTempFile("outage-routing-", ".yaml");
        // One retry an hour: between attempts only flush (or release) makes mail due, so nothing here is timing.
        Files.writeString(table, """
            version: 1
            smarthosts:
              partner:
                host: 127.0.0.1
                port: %d
                tls: none
                retry: {delays: [1 hour], max-retries: 10}
            rules:
              - name: partner
                when: {recipient-domain: [later.test, other.test]}
                action: relay
                smarthost: partner
            """.formatted(smarthostPort));
        Map<String, String> environment = new java.util.HashMap<>(ClusterProfile.withoutSpam(CASSANDRA.server(), "outage"));
        environment.put("GATEWAY_ROUTING_TABLE", table.toString());
        gateway = GatewayProcess.start(ALICE, PASSWORD, environment);
    }

    @AfterAll
    void stop() throws Exception {
        try {
            GatewayProcess.closeAll(gateway);
        } finally {
            Files.deleteIfExists(table);
        }
    }

    /** Only the cluster profile has a Cassandra session: the dashboard's Cassandra panels are checked here. */
    @Test
    void metricsExportTheCassandraRequestTimesTheDashboardQueries() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + gateway.port(GatewayProcess.Port.WEBADMIN) + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, String> samples = new java.util.HashMap<>();
        response.body().lines().filter(line -> !line.startsWith("#") && !line.isBlank())
            .forEach(line -> samples.put(line.replaceFirst("^([a-zA-Z_:][a-zA-Z0-9_:]*).*", "$1"), line.substring(line.lastIndexOf(' ') + 1)));
        List<String> cassandra = GrafanaDashboard.metricNames().stream().filter(name -> name.startsWith("cassandra_")).toList();
        assertThat(cassandra).contains("cassandra_cql_requests", "cassandra_cql_requests_count");
        assertThat(samples).as(response.body()).containsKeys(cassandra.toArray(String[]::new));
        assertThat(Double.parseDouble(samples.get("cassandra_cql_requests_count")))
            .as("the start-up alone reads users, domains and queues").isPositive();
    }

    @Test
    void heldMailWaitsOutTheOutageAndARestartThenIsDeliveredOnce() throws Exception {
        for (String recipient : List.of("ann@later.test", "ben@later.test", "cid@later.test", "dot@other.test", "eve@other.test")) {
            submit("for " + recipient, recipient);
        }
        // Each mail has failed its first attempt and waits an hour: nothing is being delivered while we act.
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            JsonNode mails = json("queue", "list", "--queue", "smarthost-partner", "--json");
            return mails.size() == 5 && all(mails, mail -> mail.get("attempts").asInt() == 1 && !mail.get("nextAttempt").isNull());
        });

        String table = queue("list", "--recipient-domain", "later.test");
        assertThat(table).contains("ann@later.test", "ben@later.test", "cid@later.test", "smarthost-partner", "3 mails")
            .doesNotContain("other.test");

        assertThat(queue("hold", "--recipient-domain", "later.test")).contains("held 3 mails");
        assertThat(recipients(json("queue", "list", "--json"))).containsExactlyInAnyOrder("dot@other.test", "eve@other.test");
        assertThat(recipients(json("queue", "list", "--held", "--json")))
            .containsExactlyInAnyOrder("ann@later.test", "ben@later.test", "cid@later.test");
        assertThat(queue("status")).containsPattern("smarthost-partner\\s+2\\s+3");

        String eve = idOf("eve@other.test");
        assertThatThrownBy(() -> queue("delete", "--id", eve))
            .as("no terminal to ask, no --yes: nothing is deleted").hasMessageContaining("give --yes");
        assertThat(queue("delete", "--id", eve, "--yes")).contains("deleted 1 mail");

        try (SmtpSink smarthost = SmtpSink.start(smarthostPort)) {
            assertThat(queue("flush")).contains("flushed 1 mail");
            // The flushed mail arriving is the marker: by then held mail would have been flushed along with it.
            await().atMost(Duration.ofMinutes(1)).until(() -> !smarthost.messages().isEmpty());
            assertThat(smarthost.messages()).singleElement().asString().contains("dot@other.test");

            gateway.stop();
            gateway.startAgain();
            assertThat(recipients(json("queue", "list", "--held", "--json")))
                .as("held mail is still held after a restart")
                .containsExactlyInAnyOrder("ann@later.test", "ben@later.test", "cid@later.test");
            submit("after the restart", "fay@other.test");
            await().atMost(Duration.ofMinutes(1)).until(() -> smarthost.messages().size() == 2);
            assertThat(smarthost.messages()).as("held mail was not delivered by the restart")
                .noneMatch(message -> message.contains("@later.test"));

            assertThat(queue("release", "--recipient-domain", "later.test")).contains("released 3 mails");
            queue("flush");
            await().atMost(Duration.ofMinutes(1)).until(() -> smarthost.messages().size() >= 5
                && json("queue", "list", "--json").isEmpty());
            List<String> delivered = smarthost.messages();
            assertThat(delivered).hasSize(5);
            for (String recipient : List.of("ann@later.test", "ben@later.test", "cid@later.test")) {
                assertThat(delivered).as(recipient + " delivered once").filteredOn(message -> message.contains("Subject: for " + recipient)).hasSize(1);
            }
            assertThat(delivered).as("the deleted mail never went out").noneMatch(message -> message.contains("eve@other.test"));
            assertThat(json("queue", "list", "--held", "--json")).isEmpty();
        }
    }

    @Test
    void healthcheckAsksTheClustersCassandra() throws Exception {
        JsonNode cassandra = null;
        for (JsonNode check : new WebAdminClient(gateway).get("/healthcheck").get("checks")) {
            if (check.get("componentName").asText().equals("Cassandra backend")) {
                cassandra = check;
            }
        }
        assertThat(cassandra).as("a Cassandra entry on the cluster profile").isNotNull();
        assertThat(cassandra.get("status").asText()).isEqualTo("healthy");
    }

    private String idOf(String recipient) throws Exception {
        for (JsonNode mail : json("queue", "list", "--json")) {
            if (recipients(JSON.createArrayNode().add(mail)).contains(recipient)) {
                return mail.get("id").asText();
            }
        }
        throw new AssertionError("no queued mail for " + recipient);
    }

    private void submit(String subject, String recipient) throws Exception {
        try (SmtpSession smtp = SmtpSession.authenticatedSubmission(gateway, gateway.trustingServerCertificate(), ALICE, PASSWORD)) {
            assertThat(smtp.send(ALICE, SmtpSession.message(ALICE, recipient, subject), recipient)).startsWith("250");
        }
    }

    private String queue(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("queue"));
        command.addAll(List.of(arguments));
        return gateway.launcher(COMMAND, command.toArray(String[]::new));
    }

    private JsonNode json(String... arguments) throws Exception {
        return JSON.readTree(gateway.launcher(COMMAND, arguments));
    }

    private static List<String> recipients(JsonNode mails) {
        List<String> recipients = new ArrayList<>();
        mails.forEach(mail -> mail.get("recipients").forEach(recipient -> recipients.add(recipient.asText())));
        return recipients;
    }

    private static boolean all(JsonNode mails, java.util.function.Predicate<JsonNode> condition) {
        for (JsonNode mail : mails) {
            if (!condition.test(mail)) {
                return false;
            }
        }
        return true;
    }
}
