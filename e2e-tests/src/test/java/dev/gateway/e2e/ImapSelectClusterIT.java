package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.queue.cassandra.CassandraExtension;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.RawConnection;

/**
 * SELECT on the cluster profile: it clears {@code \Recent} as IMAP requires, and a SELECT that finds no recent
 * message changes nothing, so the mailbox's HIGHESTMODSEQ stays where it was. James 3.8.1 allocated a new MODSEQ
 * (a lightweight transaction) on every read-write SELECT before looking for recent messages, so HIGHESTMODSEQ rose
 * by one per SELECT with nothing changed, and CONDSTORE clients resynchronised for nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImapSelectClusterIT {

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    private static final String PASSWORD = "select-secret";
    private static final String USER = "selector@" + GatewayProcess.DOMAIN;
    private static final Pattern HIGHEST_MODSEQ = Pattern.compile("\\[HIGHESTMODSEQ (\\d+)]");

    private GatewayProcess gateway;
    private SSLContext tls;

    @BeforeAll
    void startGateway() throws Exception {
        gateway = GatewayProcess.start(USER, PASSWORD, ClusterProfile.withoutSpam(CASSANDRA.server(), "imap_select"));
        tls = gateway.trustingServerCertificate();
    }

    @AfterAll
    void stopGateway() throws Exception {
        GatewayProcess.closeAll(gateway);
    }

    @Test
    void selectReportsANewMessageAsRecentOnceAndLeavesHighestModSeqAloneAfterwards() throws Exception {
        try (RawConnection writer = loggedIn()) {
            String message = "Subject: recent\r\n\r\nhello\r\n";
            writer.send("a2 APPEND INBOX {" + message.length() + "}\r\n");
            writer.lineStartingWith("+");
            writer.send(message + "\r\n");
            assertThat(writer.lineStartingWith("a2 ")).contains("a2 OK");
        }
        // \Recent belongs to the first session that selects the mailbox (RFC 3501 2.3.2); a session keeps reporting
        // its own recent messages at a re-SELECT, so the later SELECTs are made from another session.
        try (RawConnection first = loggedIn()) {
            assertThat(select(first, "s1")).contains("* 1 RECENT");
        }
        try (RawConnection later = loggedIn()) {
            String second = select(later, "s2");
            assertThat(second).contains("* 0 RECENT");
            String third = select(later, "s3");
            assertThat(third).contains("* 0 RECENT");

            assertThat(highestModSeq(third)).as("HIGHESTMODSEQ after a SELECT that changed nothing")
                .isEqualTo(highestModSeq(second));
        }
    }

    private RawConnection loggedIn() throws Exception {
        RawConnection imap = RawConnection.openTls(gateway, GatewayProcess.Port.IMAPS, tls);
        imap.lineStartingWith("* OK");
        imap.send("a1 LOGIN " + USER + " \"" + PASSWORD + "\"\r\n");
        assertThat(imap.lineStartingWith("a1 ")).contains("a1 OK");
        return imap;
    }

    private static String select(RawConnection imap, String tag) throws Exception {
        imap.send(tag + " SELECT INBOX (CONDSTORE)\r\n");
        String response = imap.lineStartingWith(tag + " ");
        assertThat(response).contains(tag + " OK");
        return response;
    }

    private static long highestModSeq(String response) {
        Matcher matcher = HIGHEST_MODSEQ.matcher(response);
        assertThat(matcher.find()).as("HIGHESTMODSEQ in %s", response).isTrue();
        return Long.parseLong(matcher.group(1));
    }
}
