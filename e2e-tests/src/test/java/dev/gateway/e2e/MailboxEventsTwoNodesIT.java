package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.queue.cassandra.CassandraExtension;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.UIDFolder;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.search.SubjectTerm;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.Mailboxes;
import dev.gateway.testkit.RawConnection;
import dev.gateway.testkit.SmtpSession;

/**
 * Two cluster-profile nodes on one Cassandra keyspace and one RabbitMQ (bin/rabbitmq) share their mailbox events
 * (docs/storage-cassandra.md): an IMAP client in IDLE on node B is told of a message stored through node A, and a
 * session with the INBOX selected on node B is told of a flag set through node A at its next NOOP, without a new
 * SELECT. With the broker left out (no GATEWAY_RABBITMQ_URI) node B says nothing and both tests fail.
 *
 * And node B forgets the INBOX it keeps from a lookup by name when node A renames it.
 *
 * <p>The message is stored through node A with IMAP APPEND, so that node A, and not node B's share of the spool, is
 * where the change is made: with SMTP either node may deliver it.
 */
class MailboxEventsTwoNodesIT {

    private static final String ALICE = "events@" + GatewayProcess.DOMAIN;
    private static final String PASSWORD = "mailbox-events-secret";
    /** The bound of issue 16: IDLE on node B reports what node A stored within 2 s. */
    private static final Duration WITHIN = Duration.ofSeconds(2);
    private static final Pattern EXISTS = Pattern.compile("(?m)^\\* (\\d+) EXISTS\\r\\n");

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    private static RabbitMQ broker;
    private static TwoNodes nodes;

    @BeforeAll
    static void start() throws Exception {
        broker = RabbitMQ.start();
        Map<String, String> environment = new HashMap<>(ClusterProfile.withoutSpam(CASSANDRA.server(), "mailbox_events"));
        environment.putAll(broker.gatewayEnvironment());
        // Far longer than the class: what a node keeps of the mailboxes it looked up can then only be forgotten
        // because an event said they changed (the user is provisioned before node B starts, so nothing else here
        // depends on this bound).
        environment.put("GATEWAY_LOOKUP_CACHE_TTL", "30m");
        nodes = TwoNodes.start(ALICE, PASSWORD, environment);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (nodes != null) {
                nodes.close();
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }

    @Test
    void idleOnNodeBReportsAMessageStoredThroughNodeA() throws Exception {
        try (RawConnection idle = ImapSessions.loggedIn(nodes.b(), nodes.tlsB(), ALICE, PASSWORD)) {
            int before = selectInbox(idle);
            idle.send("i1 IDLE\r\n");
            idle.lineStartingWith("+ ");

            appendThroughNodeA("appended-through-a");

            StringBuilder told = awaitUntagged(idle, EXISTS, "untagged EXISTS on node B");
            Matcher exists = EXISTS.matcher(told);
            assertThat(exists.find()).isTrue();
            assertThat(Integer.parseInt(exists.group(1))).as("EXISTS after the append, was %d", before).isEqualTo(before + 1);

            idle.send("DONE\r\n");
            assertThat(idle.lineStartingWith("i1 ")).contains("i1 OK");
        }
    }

    /**
     * A session with the INBOX selected on node B learns of the flag at its next command (NOOP here), as IMAP has it.
     * Not in IDLE: James 3.8.1's IDLE sends no untagged FETCH for a flag change even on one node with the in-VM bus
     * (and the change is then missing from the next NOOP too), so IDLE cannot show it.
     */
    @Test
    void aFlagSetThroughNodeAIsSeenByASessionSelectedOnNodeB() throws Exception {
        String subject = "flagged-through-a";
        appendThroughNodeA(subject);
        try (RawConnection selected = ImapSessions.loggedIn(nodes.b(), nodes.tlsB(), ALICE, PASSWORD)) {
            selectInbox(selected);
            selected.send("s1 UID SEARCH SUBJECT " + subject + "\r\n");
            Matcher found = Pattern.compile("(?m)^\\* SEARCH (\\d+)\\r\\n").matcher(selected.lineStartingWith("s1 "));
            assertThat(found.find()).as("the message appended through A, found on B").isTrue();
            long uid = Long.parseLong(found.group(1));

            try (Store onA = Mailboxes.imaps(nodes.a(), nodes.tlsA(), ALICE, PASSWORD)) {
                Folder inbox = onA.getFolder("INBOX");
                inbox.open(Folder.READ_WRITE);
                Message[] messages = inbox.search(new SubjectTerm(subject));
                assertThat(messages).hasSize(1);
                messages[0].setFlag(Flags.Flag.FLAGGED, true);
                inbox.close(false);
            }

            // The untagged FETCH names the message by sequence number and carries its new flags.
            Pattern flagged = Pattern.compile("(?m)^\\* \\d+ FETCH \\([^\\r\\n]*FLAGS \\([^)]*\\\\Flagged[^)]*\\)[^\\r\\n]*\\r\\n");
            StringBuilder told = new StringBuilder();
            AtomicInteger noops = new AtomicInteger();
            try {
                Awaitility.await("untagged FETCH FLAGS on node B").atMost(WITHIN).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        String tag = "n" + noops.incrementAndGet();
                        selected.send(tag + " NOOP\r\n");
                        return flagged.matcher(told.append(selected.lineStartingWith(tag + " "))).find();
                    });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("no untagged FETCH FLAGS on node B within " + WITHIN + "; it said: '" + told + "'", e);
            }
            Matcher fetch = flagged.matcher(told);
            assertThat(fetch.find()).isTrue();
            System.out.printf("Node B told of the flag set through node A (UID %d) after %d NOOP(s): %s", uid, noops.get(), fetch.group());
        }
    }

    /**
     * Node B keeps the mailboxes it looked up by name (docs/storage-cassandra.md#lookup-caches), here for longer than
     * the class runs. The INBOX renamed through node A (James then creates a new INBOX there) is nonetheless no longer
     * node B's INBOX once the rename's event has reached it: its STATUS gives the new INBOX's UIDVALIDITY within the
     * bound of IDLE. Without the event (no broker, or the cache not listening) node B keeps the old one and this fails.
     */
    @Test
    void anInboxRenamedThroughNodeAIsNodeBsInboxNoMore() throws Exception {
        try (RawConnection onB = ImapSessions.loggedIn(nodes.b(), nodes.tlsB(), ALICE, PASSWORD)) {
            AtomicInteger statuses = new AtomicInteger();
            long before = inboxUidValidity(onB, statuses);

            long after;
            try (Store onA = Mailboxes.imaps(nodes.a(), nodes.tlsA(), ALICE, PASSWORD)) {
                Folder inbox = onA.getFolder("INBOX");
                assertThat(((UIDFolder) inbox).getUIDValidity()).as("node A's INBOX before the rename").isEqualTo(before);
                assertThat(inbox.renameTo(onA.getFolder("Renamed-through-A"))).isTrue();
                after = ((UIDFolder) onA.getFolder("INBOX")).getUIDValidity();
            }
            assertThat(after).as("the new INBOX's UIDVALIDITY").isNotEqualTo(before);

            try {
                Awaitility.await("node B's INBOX is the new one").atMost(WITHIN).pollInterval(Duration.ofMillis(100))
                    .until(() -> inboxUidValidity(onB, statuses) == after);
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("node B still gave UIDVALIDITY " + inboxUidValidity(onB, statuses)
                    + " for its INBOX after " + WITHIN + " (the old INBOX's is " + before + ", the new one's " + after + ")", e);
            }
        }
    }

    private static long inboxUidValidity(RawConnection imap, AtomicInteger tags) throws Exception {
        String tag = "s" + tags.incrementAndGet();
        imap.send(tag + " STATUS INBOX (UIDVALIDITY)\r\n");
        String answer = imap.lineStartingWith(tag + " ");
        assertThat(answer).contains(tag + " OK");
        Matcher validity = Pattern.compile("UIDVALIDITY (\\d+)").matcher(answer);
        assertThat(validity.find()).as("UIDVALIDITY in %s", answer).isTrue();
        return Long.parseLong(validity.group(1));
    }

    /** What node B's session said until it said {@code expected}, within {@link #WITHIN}; fails with what it said. */
    private static StringBuilder awaitUntagged(RawConnection session, Pattern expected, String what) {
        StringBuilder told = new StringBuilder();
        try {
            Awaitility.await(what).atMost(WITHIN).pollInterval(Duration.ofMillis(50))
                .until(() -> expected.matcher(told.append(session.drain(Duration.ofMillis(50)))).find());
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no " + what + " within " + WITHIN + "; it said: '" + told + "'", e);
        }
        return told;
    }

    /** Selects the INBOX of a session logged in; returns its EXISTS. */
    private static int selectInbox(RawConnection imap) throws Exception {
        imap.send("a2 SELECT INBOX\r\n");
        String selected = imap.lineStartingWith("a2 ");
        assertThat(selected).contains("a2 OK");
        Matcher exists = EXISTS.matcher(selected);
        assertThat(exists.find()).as("EXISTS in %s", selected).isTrue();
        return Integer.parseInt(exists.group(1));
    }

    /** IMAP APPEND on node A; returns once node A answered OK (the message is stored, its event sent). */
    private static void appendThroughNodeA(String subject) throws Exception {
        try (Store onA = Mailboxes.imaps(nodes.a(), nodes.tlsA(), ALICE, PASSWORD)) {
            onA.getFolder("INBOX").appendMessages(new Message[] {message(subject)});
        }
    }

    private static MimeMessage message(String subject) throws Exception {
        String raw = SmtpSession.message("carol@sender.test", ALICE, subject);
        return new MimeMessage(Session.getInstance(new Properties()),
            new java.io.ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)));
    }
}
