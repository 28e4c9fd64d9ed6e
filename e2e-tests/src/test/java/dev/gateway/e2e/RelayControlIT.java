package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.SmtpSession;

/**
 * RelayControl and RefuseHostileAddresses, each path with its exact reply. One GATEWAY.process() trusts no network on the
 * MX port (loopback is untrusted here) and lists one relay domain; a second one keeps the shipped default, which
 * trusts loopback, to show trusted-network relaying.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RelayControlIT {

    private static final String ALICE = "alice@" + GatewayProcess.DOMAIN;
    private static final String PASSWORD = "alice's password";

    @RegisterExtension
    static final GatewayExtension GATEWAY = new GatewayExtension(ALICE, PASSWORD, Map.of(
        "GATEWAY_TRUSTED_NETWORKS", "192.0.2.0/24, 2001:db8::/32",
        "GATEWAY_RELAY_DOMAINS", "partner.example",
        "GATEWAY_SPAM_ENABLED", "false"));

    @Test
    void localRecipientIsAcceptedAndDelivered() throws Exception {
        try (SmtpSession smtp = mx()) {
            assertThat(smtp.command("MAIL FROM:<someone@remote.example>")).startsWith("250 2.1.0");
            assertThat(smtp.command("RCPT TO:<" + ALICE + ">")).startsWith("250 2.1.5");
            assertThat(smtp.data(SmtpSession.message("someone@remote.example", ALICE, "local"))).startsWith("250 2.6.0");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> GATEWAY.webAdmin().inboxCount(ALICE) >= 1);
    }

    @Test
    void unknownLocalUserIsRefusedWith550() throws Exception {
        try (SmtpSession smtp = mx()) {
            smtp.command("MAIL FROM:<someone@remote.example>");
            assertThat(smtp.command("RCPT TO:<nobody@" + GatewayProcess.DOMAIN + ">")).startsWith("550 5.1.1");
        }
    }

    @Test
    void foreignRecipientFromAnUntrustedClientIsRefusedWith554AndGoesNowhere() throws Exception {
        long before = GATEWAY.webAdmin().inboxCount(ALICE);
        try (SmtpSession smtp = mx()) {
            smtp.command("MAIL FROM:<someone@remote.example>");
            assertThat(smtp.command("RCPT TO:<bob@foreign.example>"))
                .isEqualTo("554 5.7.1 <bob@foreign.example>: Relay access denied");
            assertThat(smtp.command("DATA")).startsWith("503");
        }
        GATEWAY.webAdmin().awaitNothingQueuedOrParked();
        assertThat(GATEWAY.webAdmin().inboxCount(ALICE)).isEqualTo(before);
    }

    @Test
    void postmasterOfALocalDomainIsAlwaysAccepted() throws Exception {
        try (SmtpSession smtp = mx()) {
            smtp.command("MAIL FROM:<someone@remote.example>");
            assertThat(smtp.command("RCPT TO:<postmaster@" + GatewayProcess.DOMAIN + ">")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<postmaster@foreign.example>")).startsWith("554 5.7.1");
        }
    }

    @Test
    void listedRelayDomainIsAccepted() throws Exception {
        try (SmtpSession smtp = mx()) {
            smtp.command("MAIL FROM:<someone@remote.example>");
            assertThat(smtp.command("RCPT TO:<bob@partner.example>")).startsWith("250 2.1.5");
        }
    }

    @Test
    void hostileAddressFormsAreRefusedWith553() throws Exception {
        try (SmtpSession smtp = mx()) {
            smtp.command("MAIL FROM:<someone@remote.example>");
            assertThat(smtp.command("RCPT TO:<alice%foreign.example@example.test>"))
                .startsWith("553 5.1.3").contains("percent hack");
            assertThat(smtp.command("RCPT TO:<foreign.example!alice@example.test>"))
                .startsWith("553 5.1.3").contains("bang path");
            assertThat(smtp.command("RCPT TO:<\"bob@foreign.example\"@example.test>"))
                .startsWith("553 5.1.3").contains("@ in local part");
            assertThat(smtp.command("RCPT TO:<alice@[192.0.2.1]>"))
                .startsWith("553 5.1.3").contains("address literal");
            // James's own parser: source routes and trailing dots never reach our hooks.
            assertThat(smtp.command("RCPT TO:<@example.test:bob@foreign.example>")).startsWith("553 5.1.3");
            assertThat(smtp.command("RCPT TO:<alice@example.test.>")).startsWith("553 5.1.3");
        }
        try (SmtpSession smtp = mx()) {
            assertThat(smtp.command("MAIL FROM:<bob%foreign.example@remote.example>")).startsWith("553 5.1.3");
        }
    }

    @Test
    void authenticatedUserMayRelayThroughSubmission() throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(GATEWAY.process(), GatewayProcess.Port.SUBMISSION, GATEWAY.tls())) {
            smtp.ehlo("client.example");
            smtp.startTls("client.example");
            assertThat(smtp.authPlain(ALICE, PASSWORD)).startsWith("235");
            assertThat(smtp.command("MAIL FROM:<" + ALICE + ">")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<bob@foreign.example>")).startsWith("250 2.1.5");
        }
    }

    @Test
    void trustedNetworkMayRelayOnTheMxPort() throws Exception {
        // The shipped default trusts loopback (as Postfix's mynetworks_style=host does).
        try (GatewayProcess trusting = GatewayProcess.start(ALICE, PASSWORD, Map.of("GATEWAY_SPAM_ENABLED", "false"))) {
            try (SmtpSession smtp = SmtpSession.connect(trusting, GatewayProcess.Port.SMTP, trusting.trustingServerCertificate())) {
                smtp.ehlo("client.example");
                smtp.command("MAIL FROM:<app@" + GatewayProcess.DOMAIN + ">");
                assertThat(smtp.command("RCPT TO:<bob@foreign.example>")).startsWith("250 2.1.5");
            }
        }
    }

    private SmtpSession mx() throws Exception {
        SmtpSession smtp = SmtpSession.connect(GATEWAY.process(), GatewayProcess.Port.SMTP, GATEWAY.tls());
        smtp.ehlo("client.example");
        return smtp;
    }
}
