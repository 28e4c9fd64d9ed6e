package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import dev.gateway.queue.cassandra.CassandraExtension;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Store;
import jakarta.mail.search.SubjectTerm;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.SmtpSession;
import dev.gateway.testkit.WebAdminClient;
import dev.gateway.testkit.Mailboxes;

/**
 * The cluster profile keeps everything across a restart: mail delivered and flagged over IMAP, a folder created
 * over IMAP, a second domain, users (with their passwords) and an alias are all there after {@code bin/gateway stop}
 * and {@code bin/gateway start}, which provisions nothing the second time.
 */
class CassandraRestartIT {

    private static final String ALICE = "alice@" + GatewayProcess.DOMAIN;
    private static final String ALICE_PASSWORD = "alice-restart-secret";
    private static final String SECOND_DOMAIN = "second.example";
    private static final String BOB = "bob@" + SECOND_DOMAIN;
    private static final String BOB_PASSWORD = "bob-restart-secret";
    private static final String ALIAS = "info@" + GatewayProcess.DOMAIN;
    private static final String KEYWORD = "$Important";

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    private static GatewayProcess gateway;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> environment = ClusterProfile.withoutSpam(CASSANDRA.server(), "restart");
        gateway = GatewayProcess.start(ALICE, ALICE_PASSWORD, environment);
    }

    @AfterAll
    static void stop() throws Exception {
        GatewayProcess.closeAll(gateway);
    }

    @Test
    void mailFlagsFoldersUsersDomainsAndAliasesSurviveARestart() throws Exception {
        WebAdminClient webAdmin = new WebAdminClient(gateway);
        webAdmin.put("/domains/" + SECOND_DOMAIN);
        gateway.addUser(BOB, BOB_PASSWORD);
        webAdmin.put("/address/aliases/" + ALICE + "/sources/" + ALIAS);
        SSLContext tls = gateway.trustingServerCertificate();

        deliver(tls, ALICE, "first-before-restart");
        deliver(tls, ALICE, "second-before-restart");
        deliver(tls, BOB, "for-bob-before-restart");
        Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
            .until(() -> Mailboxes.inbox(gateway, tls, ALICE, ALICE_PASSWORD).size() == 2
                && Mailboxes.inbox(gateway, tls, BOB, BOB_PASSWORD).size() == 1);

        try (Store store = Mailboxes.imaps(gateway, tls, ALICE, ALICE_PASSWORD); Folder inbox = store.getFolder("INBOX")) {
            inbox.open(Folder.READ_WRITE);
            Message first = only(inbox.search(new SubjectTerm("first-before-restart")));
            Flags flags = new Flags(Flags.Flag.FLAGGED);
            flags.add(Flags.Flag.SEEN);
            flags.add(KEYWORD);
            first.setFlags(flags, true);
            Folder projects = store.getFolder("Projects");
            assertThat(projects.create(Folder.HOLDS_MESSAGES)).isTrue();
            Message second = only(inbox.search(new SubjectTerm("second-before-restart")));
            inbox.copyMessages(new Message[] {second}, projects);
            second.setFlag(Flags.Flag.DELETED, true);
            inbox.expunge();
        }
        Flags copiedFlags;
        try (Store store = Mailboxes.imaps(gateway, tls, ALICE, ALICE_PASSWORD); Folder projects = store.getFolder("Projects")) {
            projects.open(Folder.READ_ONLY);
            copiedFlags = projects.getMessage(1).getFlags();
        }

        long stopping = System.nanoTime();
        gateway.stop();
        long starting = System.nanoTime();
        gateway.startAgain();
        System.out.printf("Cluster profile restart: stop %d ms, start (to all ports open) %d ms%n",
            (starting - stopping) / 1_000_000, (System.nanoTime() - starting) / 1_000_000);

        assertThat(names(webAdmin.get("/domains"))).contains(GatewayProcess.DOMAIN, SECOND_DOMAIN);
        assertThat(webAdmin.get("/users").findValuesAsText("username")).contains(ALICE, BOB);
        try (Store store = Mailboxes.imaps(gateway, tls, ALICE, ALICE_PASSWORD); Folder inbox = store.getFolder("INBOX")) {
            assertThat(Arrays.stream(store.getDefaultFolder().list()).map(Folder::getName)).contains("INBOX", "Projects");
            inbox.open(Folder.READ_ONLY);
            assertThat(inbox.getMessageCount()).isEqualTo(1);
            Flags kept = only(inbox.search(new SubjectTerm("first-before-restart"))).getFlags();
            assertThat(kept.contains(Flags.Flag.SEEN)).as("\\Seen kept").isTrue();
            assertThat(kept.contains(Flags.Flag.FLAGGED)).as("\\Flagged kept").isTrue();
            assertThat(kept.contains(KEYWORD)).as("keyword kept").isTrue();
            try (Folder projects = store.getFolder("Projects")) {
                projects.open(Folder.READ_ONLY);
                assertThat(projects.getMessageCount()).isEqualTo(1);
                assertThat(projects.getMessage(1).getSubject()).isEqualTo("second-before-restart");
                assertThat(projects.getMessage(1).getFlags()).isEqualTo(copiedFlags);
            }
        }
        assertThat(Mailboxes.inbox(gateway, tls, BOB, BOB_PASSWORD))
            .as("bob logs in with the password set before the restart and finds his mail")
            .singleElement().asString().contains("Subject: for-bob-before-restart");

        deliver(tls, ALIAS, "to-the-alias-after-restart");
        Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
            .until(() -> Mailboxes.inbox(gateway, tls, ALICE, ALICE_PASSWORD).size() == 2);
        assertThat(Mailboxes.inbox(gateway, tls, ALICE, ALICE_PASSWORD))
            .as("the alias made before the restart still routes to alice")
            .anySatisfy(raw -> assertThat(raw).contains("Subject: to-the-alias-after-restart"));
    }

    private static void deliver(SSLContext tls, String recipient, String subject) throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(gateway, GatewayProcess.Port.SMTP, tls)) {
            smtp.ehlo("sender.test");
            String reply = smtp.send("carol@sender.test", SmtpSession.message("carol@sender.test", recipient, subject), recipient);
            assertThat(reply).startsWith("250");
        }
    }

    private static Message only(Message[] found) {
        assertThat(found).hasSize(1);
        return found[0];
    }

    private static List<String> names(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }
}
