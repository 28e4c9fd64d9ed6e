package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.SmtpSession;

/**
 * GATEWAY_SPF_REJECT_FAIL=true: an SPF fail of MAIL FROM is refused at MAIL FROM with 550 5.7.23; every other result,
 * and a HELO that fails alone, is not; trusted networks are not checked. (MailAuthenticationIT has the default, off:
 * the same fail is delivered with spf=fail in Authentication-Results.)
 */
class SpfRefusalIT {
    @RegisterExtension
    @Order(1)
    static final ZoneServer DNS = new ZoneServer();

    @RegisterExtension
    @Order(2)
    static final GatewayExtension GATEWAY = new GatewayExtension(MailAuthenticationIT.USER, MailAuthenticationIT.PASSWORD,
        () -> MailAuthenticationIT.environment(DNS, Map.of("GATEWAY_SPF_REJECT_FAIL", "true")));

    @BeforeAll
    static void records() throws Exception {
        DNS.publishTxt("fail.spf.test", "v=spf1 ip4:192.0.2.1 -all")
            .publishTxt("softfail.spf.test", "v=spf1 ~all")
            .publishTxt("pass.spf.test", "v=spf1 ip4:127.0.0.2 -all")
            .publishTxt("helo-fails.spf.test", "v=spf1 -all")
            .failing("broken.spf.test");
    }

    @Test
    void failIsRefusedAtMailFrom() throws Exception {
        try (SmtpSession smtp = outside()) {
            smtp.ehlo("mail.spf.test");
            assertThat(smtp.command("MAIL FROM:<someone@fail.spf.test>"))
                .startsWith("550 5.7.23 SPF fail: fail.spf.test does not designate 127.0.0.2 as permitted sender");
            // The session goes on: a sender whose SPF passes is taken next.
            assertThat(smtp.command("MAIL FROM:<someone@pass.spf.test>")).startsWith("250");
        }
    }

    @Test
    void everyOtherResultIsAccepted() throws Exception {
        for (String domain : new String[] {"softfail.spf.test", "pass.spf.test", "broken.spf.test", "nx.spf.test"}) {
            try (SmtpSession smtp = outside()) {
                smtp.ehlo("helo-fails.spf.test");
                assertThat(smtp.command("MAIL FROM:<someone@" + domain + ">")).as(domain).startsWith("250");
            }
        }
    }

    @Test
    void trustedNetworksAreNotChecked() throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(GATEWAY.process(), GatewayProcess.Port.SMTP, GATEWAY.tls())) {
            smtp.ehlo("office.example.test");
            assertThat(smtp.command("MAIL FROM:<someone@fail.spf.test>")).startsWith("250");
        }
    }

    private static SmtpSession outside() throws Exception {
        return SmtpSession.connectFrom(InetAddress.getByName("127.0.0.2"), GATEWAY.process(), GatewayProcess.Port.SMTP,
            GATEWAY.tls());
    }
}
