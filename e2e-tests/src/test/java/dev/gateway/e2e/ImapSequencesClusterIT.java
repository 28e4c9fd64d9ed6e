package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
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
 * UIDs and mod-sequences on the cluster profile, where Gateway allocates them with fewer lightweight transactions
 * than James 3.8.1:
 * <ul>
 *     <li>an appended message takes its UID and its MODSEQ from one transaction (both in one row): consecutive
 *     appends get consecutive UIDs and MODSEQs, nothing allocated twice and nothing lost between them;</li>
 *     <li>SELECT clears {@code \Recent} as IMAP requires, and a SELECT that finds no recent message changes nothing,
 *     so the mailbox's HIGHESTMODSEQ stays where it was. James 3.8.1 allocated a new MODSEQ on every read-write
 *     SELECT before looking for recent messages, so HIGHESTMODSEQ rose by one per SELECT with nothing changed, and
 *     CONDSTORE clients resynchronised for nothing.</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImapSequencesClusterIT {

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    private static final String PASSWORD = "select-secret";
    private static final String USER = "selector@" + GatewayProcess.DOMAIN;
    private static final Pattern HIGHEST_MODSEQ = Pattern.compile("\\[HIGHESTMODSEQ (\\d+)]");
    private static final Pattern UID_AND_MODSEQ = Pattern.compile("\\* \\d+ FETCH \\((?:UID (\\d+) MODSEQ \\((\\d+)\\)"
        + "|MODSEQ \\((\\d+)\\) UID (\\d+))");

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
            ImapSessions.append(writer, "INBOX", "Subject: recent\r\n\r\nhello\r\n");
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

    @Test
    void appendedMessagesTakeConsecutiveUidsAndModSeqsAndAFlagChangeComesAfterThem() throws Exception {
        try (RawConnection imap = loggedIn()) {
            imap.send("c1 CREATE sequences\r\n");
            assertThat(imap.lineStartingWith("c1 ")).contains("c1 OK");
            for (int i = 1; i <= 3; i++) {
                ImapSessions.append(imap, "sequences", "Subject: number " + i + "\r\n\r\nhello\r\n");
            }
            // EXAMINE is read-only: it leaves \Recent alone, so no flag change moves the mod-sequences first.
            imap.send("e1 EXAMINE sequences (CONDSTORE)\r\n");
            String examined = imap.lineStartingWith("e1 ");
            assertThat(examined).contains("e1 OK").contains("[UIDNEXT 4]");
            assertThat(highestModSeq(examined)).isEqualTo(3);
            imap.send("f1 FETCH 1:* (UID MODSEQ)\r\n");
            assertThat(uidsAndModSeqs(imap.lineStartingWith("f1 OK")))
                .containsExactly(List.of(1L, 1L), List.of(2L, 2L), List.of(3L, 3L));

            imap.send("s1 SELECT sequences (CONDSTORE)\r\n");
            long beforeTheChange = highestModSeq(imap.lineStartingWith("s1 OK"));
            imap.send("s2 STORE 2 +FLAGS.SILENT (\\Flagged)\r\n");
            assertThat(imap.lineStartingWith("s2 ")).contains("s2 OK");
            imap.send("f2 FETCH 2 (UID MODSEQ)\r\n");
            long changed = uidsAndModSeqs(imap.lineStartingWith("f2 OK")).get(0).get(1);
            assertThat(changed).isGreaterThan(beforeTheChange);

            ImapSessions.append(imap, "sequences", "Subject: number 4\r\n\r\nhello\r\n");
            imap.send("f3 UID FETCH 4 (UID MODSEQ)\r\n");
            List<Long> fourth = uidsAndModSeqs(imap.lineStartingWith("f3 OK")).get(0);
            assertThat(fourth.get(0)).isEqualTo(4);
            assertThat(fourth.get(1)).isGreaterThan(changed);
        }
    }

    /** Each FETCH response's UID and MODSEQ, in the order received. */
    private static List<List<Long>> uidsAndModSeqs(String responses) {
        List<List<Long>> found = new ArrayList<>();
        Matcher matcher = UID_AND_MODSEQ.matcher(responses);
        while (matcher.find()) {
            found.add(matcher.group(1) != null
                ? List.of(Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2)))
                : List.of(Long.parseLong(matcher.group(4)), Long.parseLong(matcher.group(3))));
        }
        assertThat(found).as("UID and MODSEQ in %s", responses).isNotEmpty();
        return found;
    }

    private RawConnection loggedIn() throws Exception {
        return ImapSessions.loggedIn(gateway, tls, USER, PASSWORD);
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
