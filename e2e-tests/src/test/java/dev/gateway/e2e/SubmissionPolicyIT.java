package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.SmtpSession;

/**
 * RequireAuthentication and SenderMatchesLogin on the submission listeners, against the real server: no mail
 * without AUTH even from loopback (a trusted network), and an authenticated user sends only as themselves, an
 * alias, or a permitted domain.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SubmissionPolicyIT {

    private static final String ALICE = "alice@" + GatewayProcess.DOMAIN;
    private static final String BOB = "bob@" + GatewayProcess.DOMAIN;
    private static final String ALIAS = "sales@" + GatewayProcess.DOMAIN;
    private static final String PASSWORD = "alice's password";

    @RegisterExtension
    static final GatewayExtension GATEWAY = new GatewayExtension(ALICE, PASSWORD, Map.of(
        "GATEWAY_SENDER_PERMITTED_DOMAINS", "newsletters.example",
        "GATEWAY_SPAM_ENABLED", "false"));

    @BeforeAll
    void setUp() throws Exception {
        GATEWAY.process().addUser(BOB, "bob's password");
        GATEWAY.webAdmin().put("/address/aliases/" + ALICE + "/sources/" + ALIAS);
    }

    @Test
    void mailWithoutAuthIsRefusedWith530EvenFromATrustedNetwork() throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(GATEWAY.process(), GatewayProcess.Port.SUBMISSION, GATEWAY.tls())) {
            smtp.ehlo("client.example");
            smtp.startTls("client.example");
            assertThat(smtp.command("MAIL FROM:<" + ALICE + ">")).isEqualTo("530 5.7.0 Authentication required");
            assertThat(smtp.command("RCPT TO:<" + BOB + ">")).startsWith("503");
        }
        try (SmtpSession smtps = SmtpSession.connectImplicitTls(GATEWAY.process(), GatewayProcess.Port.SMTPS, GATEWAY.tls())) {
            smtps.ehlo("client.example");
            assertThat(smtps.command("MAIL FROM:<" + ALICE + ">")).isEqualTo("530 5.7.0 Authentication required");
        }
        GATEWAY.webAdmin().awaitNothingQueuedOrParked();
    }

    @Test
    void envelopeSenderOfSomeoneElseIsRefusedWith553() throws Exception {
        try (SmtpSession smtp = authenticated()) {
            assertThat(smtp.command("MAIL FROM:<" + BOB + ">"))
                .isEqualTo("553 5.7.1 Sender address <" + BOB + "> not owned by " + ALICE);
            assertThat(smtp.command("MAIL FROM:<ceo@bank.example>")).startsWith("553 5.7.1");
        }
    }

    @Test
    void fromHeaderOfSomeoneElseIsRefusedAtDataAndNothingIsDelivered() throws Exception {
        long bobBefore = GATEWAY.webAdmin().inboxCount(BOB);
        try (SmtpSession smtp = authenticated()) {
            String reply = smtp.send(ALICE, SmtpSession.message("CEO <ceo@bank.example>", BOB, "spoofed From"), BOB);

            assertThat(reply).isEqualTo("553 5.7.1 From: header address <ceo@bank.example> not owned by " + ALICE);
        }
        GATEWAY.webAdmin().awaitNothingQueuedOrParked();
        assertThat(GATEWAY.webAdmin().inboxCount(BOB)).isEqualTo(bobBefore);
    }

    @Test
    void ownAddressAliasAndPermittedDomainAreAccepted() throws Exception {
        long bobBefore = GATEWAY.webAdmin().inboxCount(BOB);
        try (SmtpSession smtp = authenticated()) {
            assertThat(smtp.send("ALICE@example.test", SmtpSession.message(ALICE, BOB, "own address"), BOB)).startsWith("250");
            assertThat(smtp.send(ALIAS, SmtpSession.message("Sales <" + ALIAS + ">", BOB, "alias"), BOB)).startsWith("250");
            assertThat(smtp.send("news@newsletters.example", SmtpSession.message("news@newsletters.example", BOB, "permitted"), BOB)).startsWith("250");
            // Read receipts and vacation replies use the null sender; the From: header is still checked.
            assertThat(smtp.send("", SmtpSession.message(ALICE, BOB, "receipt"), BOB)).startsWith("250");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> GATEWAY.webAdmin().inboxCount(BOB) == bobBefore + 4);
    }

    private SmtpSession authenticated() throws Exception {
        return SmtpSession.authenticatedSubmission(GATEWAY.process(), GATEWAY.tls(), ALICE, PASSWORD);
    }
}
