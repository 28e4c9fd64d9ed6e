package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.queue.cassandra.CassandraExtension;
import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.RawConnection;

/**
 * UIDs over IMAP while the keyspace's sequences lease changes hands between two real nodes
 * (docs/storage-cassandra.md, "One lease for a node alone"). A node alone gives UIDs out of a block it reserved;
 * once a second node is live, every UID either node gives, and every UIDNEXT either reports, is above every UID given
 * before, whatever the first node's block still held.
 */
class SequencesLeaseTwoNodesIT {

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    private static final String PASSWORD = "lease-secret";
    private static final String USER = "leaseholder@" + GatewayProcess.DOMAIN;
    private static final String ALONE = "this node is the only live one";
    private static final String SHARED = "one transaction per allocation";
    private static final Pattern APPENDUID = Pattern.compile("\\[APPENDUID \\d+ (\\d+)]");
    private static final Pattern UIDNEXT = Pattern.compile("UIDNEXT (\\d+)");
    private static final Pattern FETCHED_UID = Pattern.compile("\\* \\d+ FETCH \\(UID (\\d+)\\)");

    /**
     * Node A alone appends three messages (UIDs 1 to 3, from its block); node B starts and appends one; then each
     * node appends in turn. B's first UID is above A's whole block, A's next is B's plus one, and UIDNEXT on either
     * node follows. When B stops, A holds the lease again and continues above everything.
     */
    @Test
    void uidsStayAscendingWhileTheLeaseChangesHands() throws Exception {
        Map<String, String> environment = ClusterProfile.withoutSpam(CASSANDRA.server(), "lease_hands");
        try (TwoNodes nodes = TwoNodes.start(USER, PASSWORD, environment, environment, nodeA -> {
            assertThat(logLines(nodeA, ALONE)).isEqualTo(1);
            SSLContext tls = nodeA.trustingServerCertificate();
            try (RawConnection imap = ImapSessions.loggedIn(nodeA, tls, USER, PASSWORD)) {
                imap.send("c1 CREATE hands\r\n");
                assertThat(imap.lineStartingWith("c1 ")).contains("c1 OK");
                for (int i = 1; i <= 3; i++) {
                    assertThat(append(imap, "hands")).isEqualTo(i);
                }
                assertThat(uidNext(imap, "hands")).isEqualTo(4);
            }
        })) {
            long ofB;
            try (RawConnection onB = loggedIn(nodes, nodes.b())) {
                ofB = append(onB, "hands");
            }
            // A's first append reserved its own UID and 64 more: its block ends at 65.
            assertThat(ofB).as("B's first UID, above A's block").isGreaterThan(1 + 64);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> logLines(nodes.a(), SHARED) >= 1);

            try (RawConnection onA = loggedIn(nodes, nodes.a())) {
                assertThat(uidNext(onA, "hands")).isEqualTo(ofB + 1);
                assertThat(append(onA, "hands")).isEqualTo(ofB + 1);
            }
            try (RawConnection onB = loggedIn(nodes, nodes.b())) {
                assertThat(uidNext(onB, "hands")).isEqualTo(ofB + 2);
                assertThat(uids(onB, "hands")).containsExactly(1L, 2L, 3L, ofB, ofB + 1);
            }

            nodes.b().stop();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> logLines(nodes.a(), ALONE) >= 2);
            try (RawConnection onA = loggedIn(nodes, nodes.a())) {
                long alone = append(onA, "hands");
                assertThat(alone).isEqualTo(ofB + 2);
                assertThat(uidNext(onA, "hands")).isEqualTo(alone + 1);
                assertThat(append(onA, "hands")).isEqualTo(alone + 1);
            }
        }
    }

    /**
     * Node A alone appends one message, then hangs (SIGSTOP) with most of its block unused. Node B starts, waits until
     * A's lease has lapsed, takes it, and appends above A's block. A, thawed, gives nothing more from its old block:
     * its next UID is above B's.
     */
    @Test
    void aHolderFrozenPastItsLeaseGivesNothingFromItsOldBlockOnceThawed() throws Exception {
        Map<String, String> environment = ClusterProfile.withoutSpam(CASSANDRA.server(), "lease_frozen");
        try (TwoNodes nodes = TwoNodes.start(USER, PASSWORD, environment, environment, nodeA -> {
            SSLContext tls = nodeA.trustingServerCertificate();
            try (RawConnection imap = ImapSessions.loggedIn(nodeA, tls, USER, PASSWORD)) {
                imap.send("c1 CREATE frozen\r\n");
                assertThat(imap.lineStartingWith("c1 ")).contains("c1 OK");
                assertThat(append(imap, "frozen")).isEqualTo(1);
            }
            nodeA.freeze();
        })) {
            long ofB;
            try (RawConnection onB = loggedIn(nodes, nodes.b())) {
                ofB = append(onB, "frozen");
            } finally {
                nodes.a().thaw();
            }
            assertThat(ofB).as("B's first UID, above A's block").isGreaterThan(1 + 64);
            assertThat(logLines(nodes.b(), ALONE)).as("B took the lease once A's had lapsed").isEqualTo(1);

            try (RawConnection onA = loggedIn(nodes, nodes.a())) {
                long ofA = append(onA, "frozen");
                assertThat(ofA).as("A's first UID after the thaw").isGreaterThan(ofB);
                assertThat(uids(onA, "frozen")).containsExactly(1L, ofB, ofA);
            }
        }
    }

    private static RawConnection loggedIn(TwoNodes nodes, GatewayProcess node) throws Exception {
        return ImapSessions.loggedIn(node, nodes.tls(node), USER, PASSWORD);
    }

    /** APPENDs a small message and returns the UID the server gave it (UIDPLUS's APPENDUID). */
    private static long append(RawConnection imap, String mailbox) throws Exception {
        String answer = ImapSessions.append(imap, mailbox, "Subject: lease\r\n\r\nhello\r\n");
        Matcher uid = APPENDUID.matcher(answer);
        assertThat(uid.find()).as("APPENDUID in %s", answer).isTrue();
        return Long.parseLong(uid.group(1));
    }

    private static long uidNext(RawConnection imap, String mailbox) throws Exception {
        imap.send("s1 STATUS " + mailbox + " (UIDNEXT)\r\n");
        String status = imap.lineStartingWith("s1 ");
        assertThat(status).contains("s1 OK");
        Matcher uidNext = UIDNEXT.matcher(status);
        assertThat(uidNext.find()).as("UIDNEXT in %s", status).isTrue();
        return Long.parseLong(uidNext.group(1));
    }

    private static List<Long> uids(RawConnection imap, String mailbox) throws Exception {
        imap.send("e1 EXAMINE " + mailbox + "\r\n");
        assertThat(imap.lineStartingWith("e1 ")).contains("e1 OK");
        imap.send("f1 UID FETCH 1:* (UID)\r\n");
        String fetched = imap.lineStartingWith("f1 ");
        assertThat(fetched).contains("f1 OK");
        List<Long> uids = new ArrayList<>();
        Matcher uid = FETCHED_UID.matcher(fetched);
        while (uid.find()) {
            uids.add(Long.parseLong(uid.group(1)));
        }
        return uids;
    }

    /** How many lines of the node's log carry the lease's message {@code marker}. */
    private static long logLines(GatewayProcess node, String marker) throws Exception {
        try (var lines = Files.lines(node.log())) {
            return lines.filter(line -> line.contains("Mailbox sequences: ") && line.contains(marker)).count();
        }
    }
}
