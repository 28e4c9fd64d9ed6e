package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.SmtpSession;

/**
 * Brute-force lockout (AuthFailureLockout) against the real server. Each test plays its own clients from its own
 * loopback addresses (127.0.0.x) and its own account, so the tests do not lock each other out.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthLockoutIT {

    private static final String PASSWORD = "the right password";
    private static final int MAX_PER_ADDRESS = 3;
    private static final int MAX_PER_ACCOUNT = 5;
    private static final Duration LOCKOUT = Duration.ofSeconds(4);

    @RegisterExtension
    static final GatewayExtension GATEWAY = new GatewayExtension("first@" + GatewayProcess.DOMAIN, PASSWORD, Map.of(
        "GATEWAY_AUTH_MAX_FAILURES_PER_ADDRESS", String.valueOf(MAX_PER_ADDRESS),
        "GATEWAY_AUTH_MAX_FAILURES_PER_ACCOUNT", String.valueOf(MAX_PER_ACCOUNT),
        "GATEWAY_AUTH_FAILURE_WINDOW", "1m",
        "GATEWAY_AUTH_LOCKOUT", LOCKOUT.toSeconds() + "s"));

    @BeforeAll
    void setUp() throws Exception {
        for (String user : new String[] {"victim", "roamer", "bystander"}) {
            GATEWAY.process().addUser(user + "@" + GatewayProcess.DOMAIN, PASSWORD);
        }
    }

    @Test
    void addressIsLockedOutAfterTooManyFailuresThenLetInAgainAfterTheLockout() throws Exception {
        InetAddress attacker = InetAddress.getByName("127.0.0.11");
        String victim = "victim@" + GatewayProcess.DOMAIN;

        try (SmtpSession smtp = submissionOverTls(attacker)) {
            for (int i = 0; i < MAX_PER_ADDRESS; i++) {
                assertThat(smtp.authPlain(victim, "guess " + i)).startsWith("535 5.7.8");
            }
            // Locked: even the right password is refused, and a bare AUTH is refused before credentials are sent.
            assertThat(smtp.authPlain(victim, PASSWORD)).startsWith("454 4.7.0");
            assertThat(smtp.command("AUTH PLAIN")).startsWith("454 4.7.0");
        }
        try (SmtpSession smtp = submissionOverTls(attacker)) {
            assertThat(smtp.authPlain(victim, PASSWORD)).startsWith("454 4.7.0");
        }
        try (SmtpSession smtps = SmtpSession.connectImplicitTls(GATEWAY.process(), GatewayProcess.Port.SMTPS, GATEWAY.tls())) {
            // The same counters serve every listener: 465 from another address is not locked.
            smtps.ehlo("client.example");
            assertThat(smtps.authPlain("bystander@" + GatewayProcess.DOMAIN, PASSWORD)).startsWith("235 2.7.0");
        }

        await().atMost(LOCKOUT.multipliedBy(3)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            try (SmtpSession smtp = submissionOverTls(attacker)) {
                assertThat(smtp.authPlain(victim, PASSWORD)).startsWith("235 2.7.0");
            }
        });
    }

    @Test
    void accountIsLockedOutWhenGuessesComeFromManyAddresses() throws Exception {
        String roamer = "roamer@" + GatewayProcess.DOMAIN;
        // Each address stays under its own limit; together they pass the account's.
        for (int i = 0; i < MAX_PER_ACCOUNT; i++) {
            try (SmtpSession smtp = submissionOverTls(InetAddress.getByName("127.0.1." + (i + 1)))) {
                assertThat(smtp.authPlain(roamer, "guess " + i)).startsWith("535 5.7.8");
            }
        }

        try (SmtpSession smtp = submissionOverTls(InetAddress.getByName("127.0.1.100"))) {
            assertThat(smtp.authPlain(roamer, PASSWORD)).startsWith("454 4.7.0");
            // The address itself is not locked: another account still logs in from it.
            assertThat(smtp.authPlain("bystander@" + GatewayProcess.DOMAIN, PASSWORD)).startsWith("235 2.7.0");
        }

        await().atMost(LOCKOUT.multipliedBy(3)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            try (SmtpSession smtp = submissionOverTls(InetAddress.getByName("127.0.1.101"))) {
                assertThat(smtp.authPlain(roamer, PASSWORD)).startsWith("235 2.7.0");
            }
        });
    }

    @Test
    void failuresBelowTheLimitDoNotLockAndSuccessClearsThem() throws Exception {
        InetAddress typist = InetAddress.getByName("127.0.0.21");
        String user = "bystander@" + GatewayProcess.DOMAIN;
        for (int round = 0; round < 3; round++) {
            try (SmtpSession smtp = submissionOverTls(typist)) {
                for (int i = 0; i < MAX_PER_ADDRESS - 1; i++) {
                    assertThat(smtp.authPlain(user, "typo")).startsWith("535 5.7.8");
                }
                assertThat(smtp.authPlain(user, PASSWORD)).startsWith("235 2.7.0");
            }
        }
    }

    private SmtpSession submissionOverTls(InetAddress source) throws Exception {
        SmtpSession smtp = SmtpSession.connectFrom(source, GATEWAY.process(), GatewayProcess.Port.SUBMISSION, GATEWAY.tls());
        smtp.ehlo("client.example");
        smtp.startTls("client.example");
        return smtp;
    }
}
