package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.WebAdminClient;
import dev.gateway.testkit.Mailboxes;

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
    private PrivateSpamEngine engine;
    private SSLContext tls;

    @BeforeAll
    void start() throws Exception {
        gateway = GatewayProcess.startAsShipped(USER, PASSWORD);
        webAdmin = new WebAdminClient(gateway);
        engine = new PrivateSpamEngine(gateway, "spamd");
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
        assertThat(PrivateSpamEngine.healthEntry(webAdmin).path("status").asText()).isEqualTo("healthy");

        engine.run("stop");
        assertThat(PrivateSpamEngine.healthEntry(webAdmin).path("status").asText()).isEqualTo("degraded");
        assertThat(PrivateSpamEngine.healthEntry(webAdmin).path("cause").asText()).contains("unreachable: MX mail is accepted unscanned");
        assertThat(send(SpamMessages.clean(SpamMessages.newMessageId(), USER, "unscanned"))).startsWith("250");
        assertThat(Files.readAllLines(gateway.log())).filteredOn(line -> line.contains("WARN") && line.contains("accepted unscanned (1 since start)"))
            .hasSize(1);
        assertThat(PrivateSpamEngine.healthEntry(webAdmin).path("cause").asText()).endsWith("1 message(s) accepted unscanned since start");

        engine.run("start");
        assertThat(PrivateSpamEngine.healthEntry(webAdmin).path("status").asText()).isEqualTo("healthy");
        gateway.stop();
        assertThat(engine.running()).as("the launcher stopped the spamd it started").isFalse();
    }

    private String send(String message) throws Exception {
        return SpamMessages.sendToMx(gateway, tls, message, USER);
    }
}
