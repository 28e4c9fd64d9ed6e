package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The fail-closed policy (GATEWAY_SPAM_ON_FAILURE=tempfail): while spamd is down every message is answered
 * {@code 451 4.7.1} and nothing is queued; the sender keeps it and retries, and once spamd is back (and the circuit
 * breaker's cool-down over) the same message is scanned and delivered.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpamdFailClosedIT {

    private static final String PASSWORD = "fail closed test password";
    private static final Duration COOL_DOWN = Duration.ofSeconds(3);

    private Spamd spamd;
    private GatewayProcess gateway;
    private WebAdminClient webAdmin;
    private SSLContext tls;

    @BeforeAll
    void start() throws Exception {
        spamd = Spamd.start();
        Map<String, String> environment = new HashMap<>(spamd.gatewayEnvironment());
        environment.put("GATEWAY_SPAM_ON_FAILURE", "tempfail");
        environment.put("GATEWAY_SPAMD_CONNECT_TIMEOUT", "1s");
        environment.put("GATEWAY_SPAMD_READ_TIMEOUT", "1s");
        environment.put("GATEWAY_SPAM_BREAKER_FAILURES", "2");
        environment.put("GATEWAY_SPAM_BREAKER_COOLDOWN", COOL_DOWN.toSeconds() + "s");
        gateway = GatewayProcess.start("postmaster@" + GatewayProcess.DOMAIN, PASSWORD, environment);
        webAdmin = new WebAdminClient(gateway);
        tls = gateway.trustingServerCertificate();
        gateway.addUser(address("closed"), PASSWORD);
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (gateway != null) {
                gateway.close();
            }
        } finally {
            if (spamd != null) {
                spamd.close();
            }
        }
    }

    @Test
    void whileSpamdIsDownMailIsDeferredNotQueuedThenDeliveredOnRetry() throws Exception {
        String to = address("closed");
        String first = SpamMessages.newMessageId();
        assertThat(send(first, to)).startsWith("250");
        await().atMost(Duration.ofSeconds(30)).until(() -> webAdmin.deliveredCount(to) == 1);

        spamd.stop();
        String deferred = SpamMessages.newMessageId();
        // Refused connections first, then the open breaker: the same answer either way.
        for (int attempt = 0; attempt < 4; attempt++) {
            assertThat(send(deferred, to)).startsWith("451 4.7.1");
        }
        assertThat(webAdmin.queueSize("spool")).isZero();
        assertThat(webAdmin.queueSize("outgoing")).isZero();
        assertThat(webAdmin.allRepositoriesSize()).isZero();
        Thread.sleep(1_000);
        assertThat(webAdmin.deliveredCount(to)).as("nothing deferred was delivered").isEqualTo(1);

        spamd.restart();
        // The sending server retries the same message until it is accepted.
        await().atMost(COOL_DOWN.multipliedBy(4)).pollInterval(Duration.ofMillis(500))
            .until(() -> send(deferred, to).startsWith("250"));

        await().atMost(Duration.ofSeconds(30)).until(() -> webAdmin.deliveredCount(to) == 2);
        assertThat(spamd.scansOf(deferred)).isEqualTo(1);
        List<String> inbox = Mailboxes.inbox(gateway, tls, to, PASSWORD);
        assertThat(inbox).filteredOn(raw -> raw.contains("Message-ID: <" + deferred + ">")).singleElement()
            .satisfies(raw -> assertThat(Mailboxes.headers(raw)).contains("X-Spam-Flag: NO").doesNotContain("unchecked"));
    }

    private String send(String messageId, String to) throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(gateway, GatewayProcess.Port.SMTP, tls)) {
            smtp.ehlo("sender.example");
            return smtp.send("carol@sender.example", SpamMessages.clean(messageId, to, "deferred or not"), to);
        }
    }

    private static String address(String user) {
        return user + "@" + GatewayProcess.DOMAIN;
    }
}
