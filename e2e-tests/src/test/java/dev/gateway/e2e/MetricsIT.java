package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.gateway.testkit.FreePorts;
import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.SmtpSession;

/**
 * {@code /metrics} scraped by a real Prometheus (Debian's {@code prometheus}, started by the test on loopback with a
 * configuration of its own): Prometheus must accept the text format (target up, no scrape error) and its queries must
 * see the gateway's labelled gauges, with a queue that really holds mail (a smarthost where nothing listens), and
 * James's own metrics next to them; and the gateway's own counters must move with real traffic: a real spamd's
 * verdicts, the routing rule that sent mail to that smarthost, a bounce for a domain that does not exist. Every
 * metric the Grafana dashboard (docs/grafana-dashboard.json) queries must be among what Prometheus scraped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsIT {

    private static final String ALICE = "alice@" + GatewayProcess.DOMAIN;
    private static final String PASSWORD = "metrics test password";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_SUCH_DOMAIN = "nowhere.test";

    /** The gateway's DNS: its "DNS" health entry must find it answering. */
    @RegisterExtension
    static final ZoneServer DNS = new ZoneServer();

    private final HttpClient http = HttpClient.newHttpClient();
    private Spamd spamd;
    private GatewayProcess gateway;
    private Path table;
    private Path prometheusHome;
    private Process prometheus;
    private int prometheusPort;

    @BeforeAll
    void start() throws Exception {
        table = Files.createTempFile("metrics-routing-", ".yaml");
        Files.writeString(table, """
            version: 1
            smarthosts:
              down:
                host: 127.0.0.1
                port: %d
                tls: none
                retry: {delays: [1 hour], max-retries: 3}
            rules:
              - name: down
                when: {recipient-domain: [down.test]}
                action: relay
                smarthost: down
            """.formatted(FreePorts.one()));
        spamd = Spamd.start();
        Map<String, String> environment = new java.util.HashMap<>(spamd.gatewayEnvironment());
        environment.put("GATEWAY_ROUTING_TABLE", table.toString());
        // One waiting mail is a backlog here, so that /healthcheck's queue entry has something to report.
        environment.put("GATEWAY_QUEUE_HEALTH_MAX_SIZE", "0");
        gateway = GatewayProcess.start(ALICE, PASSWORD, DNS.gatewayEnvironment(environment));
        // Both tests look at these two: mail for a smarthost where nothing listens waits in smarthost-down.
        // The third is for a domain without DNS records (the test's DNS says NXDOMAIN): delivery fails for good, bounced.
        for (String recipient : List.of("ann@down.test", "ben@down.test", "carl@" + NO_SUCH_DOMAIN)) {
            try (SmtpSession smtp = SmtpSession.authenticatedSubmission(gateway, gateway.trustingServerCertificate(), ALICE, PASSWORD)) {
                assertThat(smtp.send(ALICE, SmtpSession.message(ALICE, recipient, "waits"), recipient)).startsWith("250");
            }
        }
        // Scanned by spamd on the MX listener: a clean message accepted, GTUBE refused.
        try (SmtpSession smtp = SmtpSession.connect(gateway, GatewayProcess.Port.SMTP, gateway.trustingServerCertificate())) {
            smtp.ehlo("sender.example");
            assertThat(smtp.send("carol@sender.example", SpamMessages.clean(SpamMessages.newMessageId(), ALICE, "figures"), ALICE))
                .startsWith("250");
            assertThat(smtp.send("spammer@sender.example", SpamMessages.gtube(SpamMessages.newMessageId(), ALICE), ALICE))
                .startsWith("550 5.7.1");
        }

        prometheusHome = Files.createTempDirectory("prometheus-");
        prometheusPort = FreePorts.one();
        Files.writeString(prometheusHome.resolve("prometheus.yml"), """
            global: {scrape_interval: 1s, scrape_timeout: 1s}
            scrape_configs:
              - job_name: gateway
                metrics_path: /metrics
                static_configs: [{targets: ['127.0.0.1:%d']}]
            """.formatted(gateway.port(GatewayProcess.Port.WEBADMIN)));
        prometheus = new ProcessBuilder("prometheus",
            "--config.file=" + prometheusHome.resolve("prometheus.yml"),
            "--storage.tsdb.path=" + prometheusHome.resolve("data"),
            "--web.listen-address=127.0.0.1:" + prometheusPort)
            .redirectErrorStream(true).redirectOutput(prometheusHome.resolve("prometheus.log").toFile()).start();
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (prometheus != null) {
                prometheus.destroy();
                prometheus.waitFor();
            }
        } finally {
            try {
                GatewayProcess.closeAll(gateway);
            } finally {
                if (spamd != null) {
                    spamd.stop();
                }
            }
            Files.deleteIfExists(table);
            if (prometheusHome != null) {
                try (var files = Files.walk(prometheusHome)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
                }
            }
        }
    }

    @Test
    void prometheusScrapesQueueDepthAgeRepositoriesAndJamesMetrics() throws Exception {
        // Both have failed their first attempt and wait an hour; one of them is then held.
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            JsonNode mails = queued();
            return mails.size() == 2 && mails.get(0).get("attempts").asInt() == 1 && mails.get(1).get("attempts").asInt() == 1;
        });
        assertThat(gateway.launcher(Duration.ofSeconds(60), "queue", "hold", "--id", queued().get(0).get("id").asText()))
            .contains("held 1 mail");

        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() ->
            value("up{job=\"gateway\"}") == 1
                && value("gateway_queue_size{queue=\"smarthost-down\"}") == 1
                && value("gateway_repository_size{repository=\"var/mail/held\"}") == 1);

        // A recipient without a user, refused at RCPT on the MX listener, for the hook counters.
        try (SmtpSession smtp = SmtpSession.connect(gateway, GatewayProcess.Port.SMTP, gateway.trustingServerCertificate())) {
            smtp.ehlo("sender.test");
            assertThat(smtp.send("someone@sender.test", SmtpSession.message("someone@sender.test", "nobody@" + GatewayProcess.DOMAIN,
                "unknown"), "nobody@" + GatewayProcess.DOMAIN)).startsWith("550");
        }
        // A wrong password on submission, for the AUTH counter.
        try (SmtpSession smtp = SmtpSession.connect(gateway, GatewayProcess.Port.SUBMISSION, gateway.trustingServerCertificate())) {
            smtp.ehlo("client.example");
            smtp.startTls("client.example");
            assertThat(smtp.authPlain(ALICE, "not the password")).startsWith("535");
        }
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() ->
            value("gateway_smtp_hook_results_total{listener=\"mx\",hook=\"ValidRcptHandler\",result=\"deny\",code=\"550\"}") == 1
                && value("gateway_smtp_hook_results_total{listener=\"submission\",hook=\"AUTH\",result=\"deny\",code=\"535\"}") == 1);
        assertThat(value("gateway_smtp_hook_results_total{listener=\"submission\",hook=\"AUTH\",result=\"ok\",code=\"235\"}"))
            .as("the three successful logins that submitted mail").isEqualTo(3);
        assertThat(value("gateway_smtp_hook_results_total{listener=\"submission\",hook=\"SendMailHandler\",result=\"ok\"}"))
            .as("the three messages accepted on submission").isEqualTo(3);

        JsonNode target = query("/api/v1/targets").get("data").get("activeTargets").get(0);
        assertThat(target.get("health").asText()).isEqualTo("up");
        assertThat(target.get("lastError").asText()).isEmpty();
        assertThat(value("gateway_queue_head_age_seconds{queue=\"smarthost-down\"}")).isGreaterThanOrEqualTo(0);
        assertThat(value("gateway_queue_size{queue=\"spool\"}")).isZero();
        assertThat(value("gateway_repository_size{repository=\"var/mail/quarantine\"}")).isZero();
        assertThat(value("count({job=\"gateway\",__name__!~\"gateway_.*|up|scrape_.*\"})"))
            .as("James's own metrics are exported next to the gateway's").isPositive();
    }

    @Test
    void healthcheckNamesTheBackloggedQueue() throws Exception {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> queued().size() >= 1);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + gateway.port(GatewayProcess.Port.WEBADMIN) + "/healthcheck")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("degraded is still 200: nothing for an orchestrator to restart").isEqualTo(200);
        JsonNode checks = JSON.readTree(response.body()).get("checks");
        JsonNode queues = check(checks, "Mail queues");
        assertThat(queues.get("status").asText()).as(response.body()).isEqualTo("degraded");
        assertThat(queues.get("cause").asText()).contains("smarthost-down: ").doesNotContain("spool");
        assertThat(check(checks, "DNS").get("status").asText()).as("the test's DNS server answers").isEqualTo("healthy");
        assertThat(DNS.queries()).as("the DNS check asked the gateway's server for the root's name servers").contains(" NS"); // the server logs the root as an empty name
    }

    @Test
    void theGatewaysOwnCountersMoveWithRealTraffic() throws Exception {
        // The bounce comes last: the mail must fail its delivery (NXDOMAIN) and DSNBounce must have run.
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() ->
            value("gateway_bounces_total") == 1);

        assertThat(value("gateway_spam_verdict_clean_total")).as("the clean message on MX").isEqualTo(1);
        assertThat(value("gateway_spam_verdict_rejected_total")).as("GTUBE, refused with 550").isEqualTo(1);
        assertThat(value("gateway_spam_verdict_quarantine_total")).isZero();
        assertThat(value("gateway_spam_verdict_unchecked_total")).as("spamd answered both").isZero();
        assertThat(value("gateway_spam_scan_count")).as("two exchanges with spamd; submission is not scanned").isEqualTo(2);
        assertThat(value("gateway_spam_scan{quantile=\"0.5\"}")).as("seconds per scan").isPositive();
        assertThat(value("gateway_smtp_hook_results_total{listener=\"mx\",hook=\"SpamFilter\",result=\"deny\",code=\"550\"}"))
            .as("the same refusal, seen by the hook counter").isEqualTo(1);

        assertThat(value("gateway_routing_rule_hits_total{rule=\"down\",action=\"relay\"}"))
            .as("ann@ and ben@down.test; nothing else matches the rule").isEqualTo(2);
        assertThat(value("count(gateway_routing_rule_hits_total)")).as("no other rule, no other series").isEqualTo(1);

        assertThat(value("gateway_bounces_null_sender_total")).as("the bounced mail had alice as its sender").isZero();
        assertThat(value("DSNBounce_count")).as("James's own timer of the mailet that made the bounce").isEqualTo(1);
    }

    @Test
    void everyMetricTheDashboardQueriesIsScrapedFromTheGateway() throws Exception {
        // The Cassandra driver's metrics exist on the cluster profile only: SmarthostOutageIT checks those.
        Set<String> queried = GrafanaDashboard.metricNames().stream().filter(name -> !name.startsWith("cassandra_"))
            .collect(Collectors.toCollection(TreeSet::new));
        assertThat(queried).contains("gateway_spam_verdict_clean_total", "gateway_queue_size");
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Set<String> scraped = new TreeSet<>();
            query("/api/v1/label/__name__/values").get("data").forEach(name -> scraped.add(name.asText()));
            assertThat(scraped).as("names Prometheus scraped from the gateway").containsAll(queried);
        });
    }

    private static JsonNode check(JsonNode checks, String name) {
        for (JsonNode check : checks) {
            if (check.get("componentName").asText().equals(name)) {
                return check;
            }
        }
        throw new AssertionError("no " + name + " in " + checks);
    }

    private JsonNode queued() throws Exception {
        return JSON.readTree(gateway.launcher(Duration.ofSeconds(60), "queue", "list", "--queue", "smarthost-down", "--json"));
    }

    /** The value of an instant query that must return exactly one series. */
    private double value(String promql) throws Exception {
        JsonNode result = query("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).get("data").get("result");
        assertThat(result).as(promql).hasSize(1);
        return result.get(0).get("value").get(1).asDouble();
    }

    private JsonNode query(String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort + path)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
