package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.SmtpSession;

/**
 * AUTH on each listener, over real sockets: offered and accepted only over TLS on submission and SMTPS, refused
 * outright on the MX port, and limited to the allowed mechanisms (AuthPolicy).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SubmissionAuthIT {

    private static final String ALICE = "alice@" + GatewayProcess.DOMAIN;
    private static final String PASSWORD = "alice's long password";

    // Only PLAIN allowed here, so the test can see LOGIN refused; the shipped default allows both.
    @RegisterExtension
    static final GatewayExtension GATEWAY = new GatewayExtension(ALICE, PASSWORD, Map.of("GATEWAY_AUTH_MECHANISMS", "PLAIN"));

    @Test
    void submissionDoesNotOfferAuthBeforeTls() throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(GATEWAY.process(), GatewayProcess.Port.SUBMISSION, GATEWAY.tls())) {
            String ehlo = smtp.ehlo("client.example");

            assertThat(ehlo).contains("STARTTLS").doesNotContain("AUTH");
        }
    }

    @Test
    void submissionRefusesAuthInClearTextWith538() throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(GATEWAY.process(), GatewayProcess.Port.SUBMISSION, GATEWAY.tls())) {
            smtp.ehlo("client.example");

            assertThat(smtp.command("AUTH PLAIN")).startsWith("538 5.7.11");
            assertThat(smtp.authPlain(ALICE, PASSWORD)).startsWith("538 5.7.11");
            assertThat(smtp.command("AUTH LOGIN")).startsWith("538 5.7.11");
        }
    }

    @Test
    void submissionOffersAndAcceptsAuthAfterStartTls() throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(GATEWAY.process(), GatewayProcess.Port.SUBMISSION, GATEWAY.tls())) {
            smtp.ehlo("client.example");
            String ehlo = smtp.startTls("client.example");

            assertThat(ehlo).contains("AUTH");
            assertThat(smtp.authPlain(ALICE, PASSWORD)).startsWith("235 2.7.0");
        }
    }

    @Test
    void wrongPasswordIsRefusedWith535() throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(GATEWAY.process(), GatewayProcess.Port.SUBMISSION, GATEWAY.tls())) {
            smtp.ehlo("client.example");
            smtp.startTls("client.example");

            assertThat(smtp.authPlain(ALICE, "wrong")).startsWith("535 5.7.8");
            assertThat(smtp.authPlain("nobody@" + GatewayProcess.DOMAIN, PASSWORD)).startsWith("535 5.7.8");
        }
    }

    @Test
    void mechanismOutsideTheAllowedListIsRefusedWith504() throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(GATEWAY.process(), GatewayProcess.Port.SUBMISSION, GATEWAY.tls())) {
            smtp.ehlo("client.example");
            smtp.startTls("client.example");

            assertThat(smtp.command("AUTH LOGIN")).startsWith("504 5.5.4");
            assertThat(smtp.command("AUTH CRAM-MD5")).startsWith("504 5.5.4");
            assertThat(smtp.authPlain(ALICE, PASSWORD)).startsWith("235 2.7.0");
        }
    }

    @Test
    void smtpsAcceptsAuthOverImplicitTls() throws Exception {
        try (SmtpSession smtp = SmtpSession.connectImplicitTls(GATEWAY.process(), GatewayProcess.Port.SMTPS, GATEWAY.tls())) {
            String ehlo = smtp.ehlo("client.example");

            assertThat(ehlo).contains("AUTH");
            assertThat(smtp.authPlain(ALICE, PASSWORD)).startsWith("235 2.7.0");
        }
    }

    @Test
    void mxPortRefusesAuthEvenOverTlsWith503() throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(GATEWAY.process(), GatewayProcess.Port.SMTP, GATEWAY.tls())) {
            assertThat(smtp.ehlo("client.example")).doesNotContain("AUTH");
            assertThat(smtp.authPlain(ALICE, PASSWORD)).startsWith("503 5.5.1");

            assertThat(smtp.startTls("client.example")).doesNotContain("AUTH");
            assertThat(smtp.authPlain(ALICE, PASSWORD)).startsWith("503 5.5.1");
        }
    }
}
