package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.RawConnection;

/**
 * A flag set through one IMAP session is reported to another session that has the same mailbox selected: at once
 * while it idles, else at its next NOOP, as an untagged {@code * n FETCH (FLAGS (...))}. James 3.8.1's IDLE decided
 * which FETCH responses to send before the flag change was recorded, then cleared the change: the idling client
 * was never told, not even at its next NOOP, and showed a stale flag until it fetched the message again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImapFlagChangesIT {

    private static final String PASSWORD = "flags-secret";
    private static final String IDLER = "idler@" + GatewayProcess.DOMAIN;
    private static final String POLLER = "poller@" + GatewayProcess.DOMAIN;
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern FLAGGED_FETCH = Pattern.compile("(?m)^\\* 1 FETCH \\(FLAGS \\([^)]*\\\\Flagged[^)]*\\)\\)\r\n");

    private GatewayProcess gateway;
    private SSLContext tls;

    @BeforeAll
    void startGateway() throws Exception {
        gateway = GatewayProcess.start(IDLER, PASSWORD, Map.of("GATEWAY_SPAM_ENABLED", "false"));
        gateway.addUser(POLLER, PASSWORD);
        tls = gateway.trustingServerCertificate();
    }

    @AfterAll
    void stopGateway() throws Exception {
        GatewayProcess.closeAll(gateway);
    }

    @Test
    void aFlagSetByAnotherSessionIsReportedWhileIdling() throws Exception {
        try (RawConnection watcher = loggedIn(IDLER); RawConnection writer = loggedIn(IDLER)) {
            ImapSessions.append(writer, "INBOX", "Subject: to be flagged\r\n\r\nhello\r\n");
            select(watcher);
            watcher.send("w3 IDLE\r\n");
            watcher.readUntil(Pattern.compile("(?m)^\\+ [^\\r\\n]*\r\n"), WAIT);

            select(writer);
            writer.send("a4 STORE 1 +FLAGS (\\Flagged)\r\n");
            assertThat(writer.lineStartingWith("a4 ")).contains("a4 OK");

            watcher.readUntil(FLAGGED_FETCH, WAIT);
            watcher.send("DONE\r\n");
            assertThat(watcher.lineStartingWith("w3 ")).contains("w3 OK");
        }
    }

    @Test
    void aFlagSetByAnotherSessionIsReportedAtTheNextNoop() throws Exception {
        try (RawConnection watcher = loggedIn(POLLER); RawConnection writer = loggedIn(POLLER)) {
            ImapSessions.append(writer, "INBOX", "Subject: to be flagged\r\n\r\nhello\r\n");
            select(watcher);

            select(writer);
            writer.send("a4 STORE 1 +FLAGS (\\Flagged)\r\n");
            assertThat(writer.lineStartingWith("a4 ")).contains("a4 OK");

            watcher.send("w3 NOOP\r\n");
            String noop = watcher.lineStartingWith("w3 ");
            assertThat(noop).contains("w3 OK");
            assertThat(FLAGGED_FETCH.matcher(noop).find()).as("an untagged FETCH with \\Flagged in: %s", noop).isTrue();
        }
    }

    private RawConnection loggedIn(String user) throws Exception {
        return ImapSessions.loggedIn(gateway, tls, user, PASSWORD);
    }

    private static void select(RawConnection imap) throws Exception {
        imap.send("s1 SELECT INBOX\r\n");
        assertThat(imap.lineStartingWith("s1 ")).contains("s1 OK");
    }
}
