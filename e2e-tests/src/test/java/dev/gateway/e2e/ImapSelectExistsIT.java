package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import javax.net.ssl.SSLContext;

import jakarta.mail.Folder;
import jakarta.mail.Store;

import org.apache.james.backends.cassandra.components.CassandraModule;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.datastax.oss.driver.api.core.CqlSession;

import dev.gateway.queue.cassandra.CassandraExtension;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.SmtpSession;
import dev.gateway.testkit.Mailboxes;

/**
 * SELECT's EXISTS is the number of messages the client can then fetch by sequence number, even when the mailbox's
 * counters say otherwise. Counters kept apart from the messages can drift (a Cassandra counter update lost or
 * replayed; a message delivered while a SELECT runs); James 3.8.1 answered EXISTS from them, and a client fetching
 * 1:EXISTS got {@code BAD Invalid messageset} for the messages that were not there.
 */
class ImapSelectExistsIT {

    private static final String ALICE = "exists@" + GatewayProcess.DOMAIN;
    private static final String PASSWORD = "exists-secret";
    private static final String KEYSPACE = "imap_exists";

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    private static GatewayProcess gateway;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> environment = ClusterProfile.withoutSpam(CASSANDRA.server(), KEYSPACE);
        gateway = GatewayProcess.start(ALICE, PASSWORD, environment);
    }

    @AfterAll
    static void stop() throws Exception {
        GatewayProcess.closeAll(gateway);
    }

    @Test
    void existsCountsTheMessagesThereNotTheDriftedCounters() throws Exception {
        SSLContext tls = gateway.trustingServerCertificate();
        for (String subject : new String[] {"first", "second"}) {
            try (SmtpSession smtp = SmtpSession.connect(gateway, GatewayProcess.Port.SMTP, tls)) {
                smtp.ehlo("sender.test");
                assertThat(smtp.send("carol@sender.test", SmtpSession.message("carol@sender.test", ALICE, subject), ALICE))
                    .startsWith("250");
            }
        }
        Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
            .until(() -> Mailboxes.inbox(gateway, tls, ALICE, PASSWORD).size() == 2);

        // The fault: the INBOX's counters claim three more messages than it holds.
        try (CqlSession cassandra = CASSANDRA.server().session(KEYSPACE, CassandraModule.EMPTY_MODULE)) {
            UUID inbox = cassandra.execute("SELECT mailboxId FROM mailboxPathV3 WHERE namespace = '#private' AND user = ? "
                + "AND mailboxName = 'INBOX'", ALICE).one().getUuid("mailboxId");
            cassandra.execute("UPDATE mailboxCounters SET count = count + 3 WHERE mailboxId = ?", inbox);
            assertThat(cassandra.execute("SELECT count FROM mailboxCounters WHERE mailboxId = ?", inbox).one().getLong("count"))
                .isEqualTo(5);
        }

        try (Store store = Mailboxes.imaps(gateway, tls, ALICE, PASSWORD); Folder inbox = store.getFolder("INBOX")) {
            inbox.open(Folder.READ_ONLY);
            assertThat(inbox.getMessageCount()).as("EXISTS after SELECT").isEqualTo(2);
        }
        // JavaMail fetches every message by sequence number, 1 to EXISTS: with EXISTS 5 the third fetch was refused.
        assertThat(Mailboxes.inbox(gateway, tls, ALICE, PASSWORD)).hasSize(2)
            .anySatisfy(message -> assertThat(message).contains("Subject: first"))
            .anySatisfy(message -> assertThat(message).contains("Subject: second"));
        assertThat(Files.readString(gateway.log())).contains("EXISTS 2 (listed at selection), its counters said 5");
    }
}
