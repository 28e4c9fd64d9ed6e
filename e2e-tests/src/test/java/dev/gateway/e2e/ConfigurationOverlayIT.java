package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.Mailboxes;
import dev.gateway.testkit.SmtpSession;

/**
 * An integrator's additions in the overlay folder ({@code $GATEWAY_HOME/conf.d}), the shipped server-config/ left
 * as it is: an SMTP hook added to every listener's shared chain (James's MaxUnknownCmdHandler, which no shipped chain
 * has: a second unknown command ends the session) and a mailet step inserted into the transport processor
 * (SetMimeHeader), both seen to act from outside, over SMTP and IMAP. An overlay naming a processor that does not exist stops the start with its name.
 */
class ConfigurationOverlayIT {

    private static final String ALICE = "alice@" + GatewayProcess.DOMAIN;
    private static final String BOB = "bob@" + GatewayProcess.DOMAIN;
    private static final String PASSWORD = "overlay test secret";
    /** What James's MaxUnknownCmdHandler answers to one unknown command too many, before it disconnects. */
    private static final String TOO_MANY = "521 Closing connection as too many unknown commands received";

    private static final String OVERLAY = """
        <overlay>
            <!-- every listener, at the default place: before the core handlers -->
            <handlers>
                <handler class="org.apache.james.smtpserver.fastfail.MaxUnknownCmdHandler"><maxUnknownCmdCount>1</maxUnknownCmdCount></handler>
            </handlers>
            <mailets processor="transport" before="dev.gateway.mailets.RouteByTable">
                <mailet match="All" class="SetMimeHeader"><name>X-Site-Policy</name><value>overlay</value></mailet>
            </mailets>
        </overlay>
        """;

    private static GatewayProcess gateway;
    private static Path overlay;

    @BeforeAll
    static void startWithAnOverlay() throws Exception {
        gateway = GatewayProcess.prepare(Map.of("GATEWAY_SPAM_ENABLED", "false"));
        overlay = writeOverlay(gateway, "10-site.xml", OVERLAY);
        gateway.startAgain(ALICE, PASSWORD);
        gateway.addUser(BOB, PASSWORD);
    }

    @AfterAll
    static void stop() throws Exception {
        GatewayProcess.closeAll(gateway);
    }

    @Test
    void theLogSaysWhichOverlayWasApplied() throws IOException {
        assertThat(Files.readString(gateway.log())).contains("Configuration overlay applied: " + overlay);
    }

    @Test
    void theAddedHookActsOnTheMxListener() throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(gateway, GatewayProcess.Port.SMTP, gateway.trustingServerCertificate())) {
            smtp.ehlo("sender.test");
            assertSecondUnknownCommandEndsTheSession(smtp);
        }
    }

    @Test
    void theAddedHookActsOnTheSubmissionListenerToo() throws Exception {
        try (SmtpSession smtp = SmtpSession.authenticatedSubmission(gateway, gateway.trustingServerCertificate(), ALICE, PASSWORD)) {
            assertSecondUnknownCommandEndsTheSession(smtp);
        }
    }

    /** James's own answer to an unknown command, once; then the overlay's hook's, and the connection is closed. */
    private static void assertSecondUnknownCommandEndsTheSession(SmtpSession smtp) throws IOException {
        assertThat(smtp.command("XYZZY")).startsWith("500");
        assertThat(smtp.command("XYZZY")).isEqualTo(TOO_MANY);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !stillAnswers(smtp));
    }

    private static boolean stillAnswers(SmtpSession smtp) {
        try {
            smtp.command("NOOP");
            return smtp.isConnected() && smtp.replyCode() == 250;
        } catch (IOException closed) {
            return false;
        }
    }

    @Test
    void theAddedMailetStepMarksDeliveredMail() throws Exception {
        SSLContext tls = gateway.trustingServerCertificate();
        try (SmtpSession smtp = SmtpSession.connect(gateway, GatewayProcess.Port.SMTP, tls)) {
            smtp.ehlo("sender.test");
            assertThat(smtp.send("someone@sender.test", SmtpSession.message("someone@sender.test", BOB, "through the overlay"), BOB))
                .startsWith("250");
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
            .until(() -> !Mailboxes.inbox(gateway, tls, BOB, PASSWORD).isEmpty());
        List<String> inbox = Mailboxes.inbox(gateway, tls, BOB, PASSWORD);
        assertThat(inbox).hasSize(1);
        assertThat(Mailboxes.headers(inbox.get(0))).contains("Subject: through the overlay").contains("X-Site-Policy: overlay");
    }

    @Test
    void anOverlayNamingAnUnknownProcessorStopsTheStartWithItsName() throws Exception {
        GatewayProcess broken = GatewayProcess.prepare(Map.of("GATEWAY_SPAM_ENABLED", "false"));
        try {
            Path bad = writeOverlay(broken, "20-typo.xml", """
                <overlay>
                    <mailets processor="transprot"><mailet match="All" class="Null"/></mailets>
                </overlay>
                """);
            Throwable failure = catchThrowable(() -> broken.launcher(Duration.ofMinutes(3), "start"));
            assertThat(failure).isInstanceOf(IllegalStateException.class);
            // What the launcher printed, before the log tail GatewayProcess appends.
            String printed = failure.getMessage().split("--- gateway log ---")[0];
            assertThat(printed)
                .containsPattern("gateway: (exited during start-up|could not start) \\(log: ")
                .contains(bad + ": <mailets processor=\"transprot\">: mailetcontainer.xml has no processor of that name");
        } finally {
            GatewayProcess.closeAll(broken);
        }
    }

    private static Path writeOverlay(GatewayProcess target, String name, String xml) throws IOException {
        Path folder = Files.createDirectories(target.home().resolve("conf.d"));
        return Files.writeString(folder.resolve(name), xml);
    }
}
