package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.SmtpSession;

/**
 * Classic open-relay tricks against the MX port from a network the GATEWAY.process() does not trust (loopback is taken out
 * of the trusted networks for this class). Every attempt must be refused at RCPT time, and afterwards nothing may
 * sit in a queue or a repository: zero relayed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenRelayBatteryIT {

    private static final String LOCAL_USER = "alice@" + GatewayProcess.DOMAIN;

    /** One attempt: what the client says in EHLO and MAIL FROM, and the recipient it tries. */
    record Trick(String name, String helo, String mailFrom, String rcptCommand) {
        static Trick rcpt(String name, String recipient) {
            return new Trick(name, "client.example", "MAIL FROM:<someone@remote.example>", "RCPT TO:<" + recipient + ">");
        }
    }

    private static final List<Trick> TRICKS = List.of(
        Trick.rcpt("plain foreign recipient", "bob@foreign.example"),
        Trick.rcpt("upper-case foreign recipient", "BOB@FOREIGN.EXAMPLE"),
        Trick.rcpt("percent hack", "bob%foreign.example@example.test"),
        Trick.rcpt("percent hack, upper-case local domain", "bob%foreign.example@EXAMPLE.TEST"),
        Trick.rcpt("quoted percent hack", "\"bob%foreign.example\"@example.test"),
        Trick.rcpt("bang path", "foreign.example!bob@example.test"),
        Trick.rcpt("quoted local part holding @", "\"bob@foreign.example\"@example.test"),
        Trick.rcpt("source route through us", "@example.test:bob@foreign.example"),
        Trick.rcpt("two-hop source route", "@example.test,@other.example:bob@foreign.example"),
        Trick.rcpt("trailing dot", "bob@foreign.example."),
        Trick.rcpt("IPv4 literal", "bob@[192.0.2.1]"),
        Trick.rcpt("loopback literal", "bob@[127.0.0.1]"),
        Trick.rcpt("IPv6 literal", "bob@[IPv6:::1]"),
        Trick.rcpt("local domain as a prefix", "bob@example.test.foreign.example"),
        Trick.rcpt("look-alike domain", "bob@evil-example.test"),
        Trick.rcpt("sub-domain of a local domain", "bob@mail.example.test"),
        Trick.rcpt("punycode foreign domain", "bob@xn--frgn-5qa.example"),
        Trick.rcpt("foreign postmaster", "postmaster@foreign.example"),
        Trick.rcpt("double @", "bob@foreign.example@example.test"),
        new Trick("null sender", "client.example", "MAIL FROM:<>", "RCPT TO:<bob@foreign.example>"),
        new Trick("local sender address", "client.example", "MAIL FROM:<" + LOCAL_USER + ">", "RCPT TO:<bob@foreign.example>"),
        new Trick("HELO localhost", "localhost", "MAIL FROM:<someone@remote.example>", "RCPT TO:<bob@foreign.example>"),
        new Trick("HELO loopback literal", "[127.0.0.1]", "MAIL FROM:<someone@remote.example>", "RCPT TO:<bob@foreign.example>"),
        new Trick("HELO our own domain", GatewayProcess.DOMAIN, "MAIL FROM:<someone@remote.example>", "RCPT TO:<bob@foreign.example>"),
        new Trick("no angle brackets", "client.example", "MAIL FROM:<someone@remote.example>", "RCPT TO:bob@foreign.example"),
        new Trick("trailing spaces", "client.example", "MAIL FROM:<someone@remote.example>", "RCPT TO:<bob@foreign.example>   "));

    @RegisterExtension
    static final GatewayExtension GATEWAY = new GatewayExtension(LOCAL_USER, "alice's password", Map.of(
        "GATEWAY_TRUSTED_NETWORKS", "192.0.2.0/24",
        "GATEWAY_SPAM_ENABLED", "false"));

    @Test
    void everyTrickIsRefusedAtRcptAndNothingIsRelayed() throws Exception {
        List<String> accepted = new ArrayList<>();
        for (Trick trick : TRICKS) {
            try (SmtpSession smtp = SmtpSession.connect(GATEWAY.process(), GatewayProcess.Port.SMTP, GATEWAY.tls())) {
                smtp.ehlo(trick.helo());
                assertThat(smtp.command(trick.mailFrom())).as(trick.name()).startsWith("250");
                String reply = smtp.command(trick.rcptCommand());
                if (!reply.startsWith("5")) {
                    accepted.add(trick.name() + " -> " + reply);
                    // Show what would happen if the recipient had been taken: it must not leave either.
                    smtp.data(SmtpSession.message("someone@remote.example", "bob@foreign.example", trick.name()));
                }
            }
        }

        assertThat(TRICKS).hasSizeGreaterThanOrEqualTo(20);
        assertThat(accepted).as("tricks that were not refused with a 5xx at RCPT").isEmpty();
        GATEWAY.webAdmin().awaitNothingQueuedOrParked();
        assertThat(GATEWAY.webAdmin().inboxCount(LOCAL_USER)).isZero();
    }

    @Test
    void aForeignRecipientAmongLocalOnesIsRefusedAloneAndOnlyTheLocalCopyIsDelivered() throws Exception {
        String bystander = "carol@" + GatewayProcess.DOMAIN;
        GATEWAY.process().addUser(bystander, "carol's password");
        try (SmtpSession smtp = SmtpSession.connect(GATEWAY.process(), GatewayProcess.Port.SMTP, GATEWAY.tls())) {
            smtp.ehlo("client.example");
            assertThat(smtp.command("MAIL FROM:<someone@remote.example>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<" + bystander + ">")).startsWith("250 2.1.5");
            assertThat(smtp.command("RCPT TO:<bob@foreign.example>")).startsWith("554 5.7.1");
            assertThat(smtp.data(SmtpSession.message("someone@remote.example", bystander, "mixed recipients"))).startsWith("250");
        }

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
            .until(() -> GATEWAY.webAdmin().inboxCount(bystander) == 1);
        GATEWAY.webAdmin().awaitNothingQueuedOrParked();
    }
}
