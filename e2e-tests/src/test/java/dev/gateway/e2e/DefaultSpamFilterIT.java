package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The spam filter as shipped: a gateway started with nothing set but its ports and home runs a private spamd, refuses
 * GTUBE with {@code 550 5.7.1}, says in {@code /healthcheck} when that spamd stops answering (and counts and logs
 * what it lets through unscanned meanwhile), and stops the spamd it started when it stops.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DefaultSpamFilterIT {

    private static final String PASSWORD = "default spam filter test password";
    private static final String USER = "shipped@" + GatewayProcess.DOMAIN;

    private GatewayProcess gateway;
    private WebAdminClient webAdmin;
    private SSLContext tls;

    @BeforeAll
    void start() throws Exception {
        gateway = GatewayProcess.startAsShipped(USER, PASSWORD);
        webAdmin = new WebAdminClient(gateway);
        tls = gateway.trustingServerCertificate();
    }

    @AfterAll
    void close() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void gtubeIsRefusedTheEngineIsWatchedAndTheLauncherStopsItsSpamd() throws Exception {
        assertThat(send(SpamMessages.gtube(SpamMessages.newMessageId(), USER))).startsWith("550 5.7.1");
        String clean = SpamMessages.newMessageId();
        assertThat(send(SpamMessages.clean(clean, USER, "scanned"))).startsWith("250");
        await().atMost(Duration.ofSeconds(30)).until(() -> webAdmin.deliveredCount(USER) == 1);
        assertThat(Mailboxes.inbox(gateway, tls, USER, PASSWORD)).singleElement()
            .satisfies(raw -> assertThat(Mailboxes.headers(raw)).contains("X-Spam-Flag: NO").doesNotContain("unchecked"));
        assertThat(spamEngine().path("status").asText()).isEqualTo("healthy");

        spamd("stop");
        assertThat(spamEngine().path("status").asText()).isEqualTo("degraded");
        assertThat(spamEngine().path("cause").asText()).contains("unreachable: MX mail is accepted unscanned");
        assertThat(send(SpamMessages.clean(SpamMessages.newMessageId(), USER, "unscanned"))).startsWith("250");
        assertThat(Files.readAllLines(gateway.log())).filteredOn(line -> line.contains("WARN") && line.contains("accepted unscanned (1 since start)"))
            .hasSize(1);
        assertThat(spamEngine().path("cause").asText()).endsWith("1 message(s) accepted unscanned since start");

        spamd("start");
        assertThat(spamEngine().path("status").asText()).isEqualTo("healthy");
        gateway.stop();
        assertThat(spamdRunning()).as("the launcher stopped the spamd it started").isFalse();
    }

    /** The "Spam engine" entry of WebAdmin's /healthcheck. */
    private JsonNode spamEngine() throws Exception {
        for (JsonNode check : webAdmin.get("/healthcheck").path("checks")) {
            if (check.path("componentName").asText().equals("Spam engine")) {
                return check;
            }
        }
        throw new AssertionError("no Spam engine in /healthcheck");
    }

    /** bin/spamd with the gateway's environment: the private spamd the launcher runs under its home. */
    private String spamd(String command) throws Exception {
        return gateway.run(List.of(gateway.source().resolve("bin/spamd").toString(), command), Duration.ofMinutes(2), null);
    }

    /** {@code bin/spamd status}: exit 0 running, exit 3 not running; anything else fails the test. */
    private boolean spamdRunning() throws Exception {
        try {
            spamd("status");
            return true;
        } catch (IllegalStateException e) {
            assertThat(e.getMessage()).contains("exited 3:");
            return false;
        }
    }

    private String send(String message) throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(gateway, GatewayProcess.Port.SMTP, tls)) {
            smtp.ehlo("sender.example");
            return smtp.send("carol@sender.example", message, USER);
        }
    }
}
