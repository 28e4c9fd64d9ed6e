package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.net.ssl.SSLContext;

import org.apache.james.backends.cassandra.components.CassandraModule;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;

import dev.gateway.queue.cassandra.CassandraExtension;
import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.Mailboxes;
import dev.gateway.testkit.SmtpSession;
import dev.gateway.testkit.WebAdminClient;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Store;
import jakarta.mail.search.SubjectTerm;

/**
 * {@code bin/gateway blobs collect} on the cluster profile gives back the bytes of deleted mail and nothing else:
 * the bodies of messages still in a mailbox, of a body another user still has, and of a quarantined mail stay and
 * read back whole. Each message's body carries a marker of its own, looked for in Cassandra's {@code gateway_blobs}
 * table, where the bytes are. Generations are one second here (a day by default), so that blobs written by the test
 * are old enough to be collected a few seconds later.
 */
class BlobCollectionIT {

    private static final String KEYSPACE = "blob_collection";
    private static final String ALICE = "alice@" + GatewayProcess.DOMAIN;
    private static final String ALICE_PASSWORD = "alice-blobs-secret";
    private static final String BOB = "bob@" + GatewayProcess.DOMAIN;
    private static final String BOB_PASSWORD = "bob-blobs-secret";
    private static final Duration GENERATION = Duration.ofSeconds(1);
    private static final String QUARANTINE = "var/mail/routing-quarantine";

    private static final String KEPT = "marker-kept-in-alice-inbox-5d1c";
    private static final String DELETED = "marker-deleted-by-alice-8e07";
    private static final String SHARED = "marker-shared-alice-deletes-bob-keeps-31aa";
    private static final String QUARANTINED = "marker-quarantined-by-routing-c9f2";

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    @TempDir
    static Path folder;

    private static GatewayProcess gateway;
    private static CqlSession cassandra;

    @BeforeAll
    static void start() throws Exception {
        Path table = folder.resolve("routing.yaml");
        Files.writeString(table, """
            rules:
              - name: confidential
                when: {header: {X-Classification: "(?i)confidential"}}
                action: quarantine
            """);
        Map<String, String> environment = ClusterProfile.withoutSpam(CASSANDRA.server(), KEYSPACE);
        environment.put("GATEWAY_BLOB_GENERATION", GENERATION.toSeconds() + "s");
        environment.put("GATEWAY_ROUTING_TABLE", table.toString());
        gateway = GatewayProcess.start(ALICE, ALICE_PASSWORD, environment);
        gateway.addUser(BOB, BOB_PASSWORD);
        // The gateway has made the tables: the session only reads them.
        cassandra = CASSANDRA.server().session(KEYSPACE, CassandraModule.EMPTY_MODULE);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cassandra != null) {
            cassandra.close();
        }
        GatewayProcess.closeAll(gateway);
    }

    @Test
    void collectingDeletesTheBytesOfDeletedMailAndKeepsEveryBodyStillInUse() throws Exception {
        SSLContext tls = gateway.trustingServerCertificate();
        WebAdminClient webAdmin = new WebAdminClient(gateway);
        send(tls, "kept", "", KEPT, ALICE);
        send(tls, "deleted", "", DELETED, ALICE);
        send(tls, "shared", "", SHARED, ALICE, BOB);
        send(tls, "quarantined", "X-Classification: Confidential\r\n", QUARANTINED, ALICE);
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
            .until(() -> Mailboxes.inbox(gateway, tls, ALICE, ALICE_PASSWORD).size() == 3
                && Mailboxes.inbox(gateway, tls, BOB, BOB_PASSWORD).size() == 1
                && webAdmin.repositorySize(QUARANTINE) == 1);

        // Every blob written so far is now two generations old: only its references keep it.
        Instant written = Instant.now();
        await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(written.plus(GENERATION.multipliedBy(3))));
        String first = collect();
        assertThat(first).as("the first run's report: five messages (three in alice's INBOX, one in bob's, one"
            + " quarantined), none deleted").matches("gateway: \\d+ blobs stored, 0 deleted \\(0 errors\\), [1-9]\\d* references read");
        assertThat(markersStored()).as("nothing is deleted while every message is still used")
            .containsExactlyInAnyOrder(KEPT, DELETED, SHARED, QUARANTINED);

        try (Store store = Mailboxes.imaps(gateway, tls, ALICE, ALICE_PASSWORD); Folder inbox = store.getFolder("INBOX")) {
            inbox.open(Folder.READ_WRITE);
            for (String subject : List.of("deleted", "shared")) {
                Message[] found = inbox.search(new SubjectTerm(subject));
                assertThat(found).hasSize(1);
                found[0].setFlag(Flags.Flag.DELETED, true);
            }
            inbox.expunge();
        }

        // The messages' rows go after the expunge, in a listener: collect until the deleted body's bytes are gone.
        List<String> reports = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            reports.add(collect());
            return !markersStored().contains(DELETED);
        });
        System.out.println("Blob collection: before the expunge: " + first + "; after it: " + reports);
        assertThat(reports).as("some run deleted blobs").anySatisfy(report -> assertThat(report).doesNotContain(" 0 deleted"));
        assertThat(markersStored()).as("the bodies still in use stay: alice's kept one, bob's copy of the shared one, the quarantined one")
            .containsExactlyInAnyOrder(KEPT, SHARED, QUARANTINED);

        assertThat(Mailboxes.inbox(gateway, tls, ALICE, ALICE_PASSWORD)).singleElement().asString()
            .contains("Subject: kept").contains(KEPT);
        assertThat(Mailboxes.inbox(gateway, tls, BOB, BOB_PASSWORD)).singleElement().asString()
            .contains("Subject: shared").contains(SHARED);
        String key = webAdmin.repositoryKeys(QUARANTINE).get(0);
        assertThat(webAdmin.repositoryMessage(QUARANTINE, key)).contains("Subject: quarantined").contains(QUARANTINED);
    }

    private static void send(SSLContext tls, String subject, String extraHeaders, String marker, String... recipients) throws Exception {
        String message = "From: carol@sender.test\r\n"
            + "To: " + String.join(", ", recipients) + "\r\n"
            + "Subject: " + subject + "\r\n"
            + extraHeaders
            + "\r\n"
            + "The body of '" + subject + "': " + marker + "\r\n";
        try (SmtpSession smtp = SmtpSession.connect(gateway, GatewayProcess.Port.SMTP, tls)) {
            smtp.ehlo("sender.test");
            assertThat(smtp.send("carol@sender.test", message, recipients)).startsWith("250");
        }
    }

    /** One run of {@code bin/gateway blobs collect}: its report, the last line it prints. */
    private static String collect() throws Exception {
        List<String> lines = gateway.launcher(Duration.ofSeconds(60), "blobs", "collect").strip().lines().toList();
        return lines.get(lines.size() - 1);
    }

    /** Which of the test's markers are somewhere in the stored bytes (a body may be stored twice: in two generations). */
    private static Set<String> markersStored() {
        Set<String> found = new HashSet<>();
        for (Row row : cassandra.execute("SELECT data FROM gateway_blobs")) {
            ByteBuffer data = row.getByteBuffer("data");
            String text = data == null ? "" : StandardCharsets.ISO_8859_1.decode(data).toString();
            for (String marker : List.of(KEPT, DELETED, SHARED, QUARANTINED)) {
                if (text.contains(marker)) {
                    found.add(marker);
                }
            }
        }
        return found;
    }
}
