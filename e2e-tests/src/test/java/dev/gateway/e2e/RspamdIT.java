package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Store;
import jakarta.mail.search.HeaderTerm;

import org.eclipse.angus.mail.imap.IMAPFolder;

import dev.gateway.testkit.FreePorts;
import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.Mailboxes;
import dev.gateway.testkit.WebAdminClient;

/**
 * rspamd as the spam engine (GATEWAY_SPAM_ENGINE=rspamd), the way an operator runs it: the launcher starts its private
 * rspamd (bin/rspamd, Debian's rspamd) and stops it with the gateway. One gateway for the class: GTUBE is refused at
 * the end of DATA, a clean message is delivered with its headers after one scan, an IMAP move into Spam is learned
 * through rspamd's controller, and while rspamd is down mail is accepted unscanned (fail open, the default).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RspamdIT {

    private static final String PASSWORD = "rspamd test password";
    private static final String USER = "rspamd@" + GatewayProcess.DOMAIN;

    private GatewayProcess gateway;
    private WebAdminClient webAdmin;
    private PrivateSpamEngine engine;
    private SSLContext tls;

    @BeforeAll
    void start() throws Exception {
        // The rules compiled for Hyperscan (about a minute of CPU) are kept across runs of the test on this machine.
        Path cache = Path.of(System.getProperty("java.io.tmpdir"), "gateway-rspamd-cache");
        gateway = GatewayProcess.startWithPrivateEngine(USER, PASSWORD, Map.of(
            "GATEWAY_SPAM_ENGINE", "rspamd",
            "GATEWAY_RSPAMD_PORT", String.valueOf(FreePorts.one()),
            "GATEWAY_RSPAMD_CONTROLLER_PORT", String.valueOf(FreePorts.one()),
            "GATEWAY_RSPAMD_CACHE", cache.toString()));
        webAdmin = new WebAdminClient(gateway);
        engine = new PrivateSpamEngine(gateway, "rspamd");
        tls = gateway.trustingServerCertificate();
    }

    @AfterAll
    void close() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    @Order(1)
    void gtubeIsRefusedAtTheEndOfDataAndACleanMessageIsDeliveredWithItsHeadersAfterOneScan() throws Exception {
        String gtube = SpamMessages.newMessageId();
        assertThat(send(SpamMessages.gtube(gtube, USER))).startsWith("550 5.7.1");
        String clean = SpamMessages.newMessageId();
        assertThat(send(SpamMessages.clean(clean, USER, "scanned by rspamd"))).startsWith("250");

        await().atMost(Duration.ofSeconds(30)).until(() -> webAdmin.deliveredCount(USER) == 1);
        assertThat(Mailboxes.inbox(gateway, tls, USER, PASSWORD)).singleElement().satisfies(raw -> assertThat(Mailboxes.headers(raw))
            .contains("X-Spam-Flag: NO", "X-Spam-Status: No, score=", "verdict=clean").doesNotContain("unchecked"));
        // rspamd logs one line per scan, with the Message-ID and what the gateway told it of the envelope.
        assertThat(scansOf(gtube)).singleElement().satisfies(line -> assertThat(line).contains("(reject)", "GTUBE"));
        assertThat(scansOf(clean)).singleElement().satisfies(line -> assertThat(line)
            .contains("ip: 127.0.0.1", "from: <carol@sender.example>", "rcpts: <" + USER + ">", "qid: <Mail"));
    }

    @Test
    @Order(2)
    void aMoveIntoSpamIsLearnedThroughTheController() throws Exception {
        String id = SpamMessages.newMessageId();
        long before = webAdmin.deliveredCount(USER);
        assertThat(send(SpamMessages.clean(id, USER, "to be learned"))).startsWith("250");
        await().atMost(Duration.ofSeconds(30)).until(() -> webAdmin.deliveredCount(USER) == before + 1);
        assertThat(engine.run("learned")).isEqualTo("spam 0 ham 0\n");

        try (Store store = Mailboxes.imaps(gateway, tls, USER, PASSWORD)) {
            Folder spam = store.getFolder("Spam");
            spam.create(Folder.HOLDS_MESSAGES);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            Message[] found = inbox.search(new HeaderTerm("Message-ID", "<" + id + ">"));
            assertThat(found).hasSize(1);
            ((IMAPFolder) inbox).moveMessages(found, spam);
        }

        // Learning is asynchronous and may take up to the listener's timeout (30 s); longer than that, the listener
        // has said how it ended (learned, skipped, or could not teach), and a failure shows it with rspamd's side.
        await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> assertThat(learningListenerLines())
            .as(() -> "what the learning listener said; rspamd's controller said: " + rspamdControllerLines())
            .anyMatch(line -> line.contains("Learned message") && line.contains(USER + " as spam")));
        assertThat(engine.run("learned")).isEqualTo("spam 1 ham 0\n");
        // This rspamd (a fresh one, with this test's home) made its first start: bin/rspamd had the controller create
        // the Bayes databases alone and wrote so into rspamd's log before it started every worker. No process lost
        // the race to create them, and none failed to open them. Once they exist, the workers still race for the lock
        // file every open takes and may log a stale one (CI, 2026-12-07): harmless then, the tables are there.
        List<String> log = Files.readAllLines(rspamdLog());
        List<String> creation = log.subList(0, log.indexOf(log.stream()
            .filter(line -> line.startsWith("rspamd: created the Bayes statistics in ")).findFirst()
            .orElseThrow(() -> new AssertionError("bin/rspamd wrote no line that it created the Bayes statistics into " + rspamdLog()))));
        assertThat(creation).anyMatch(line -> line.contains("(controller)") && line.contains("added backend sqlite3 for symbol BAYES_HAM"))
            .noneMatch(line -> line.contains("(normal)"))
            .noneMatch(line -> line.contains("sqlite") && line.contains("stale lock file"));
        assertThat(log).noneMatch(line -> line.contains("cannot init backend sqlite3"));
    }

    @Test
    @Order(3)
    void whileRspamdIsDownMailIsAcceptedUnscannedAndSaidSoThenTheLauncherStopsItsRspamd() throws Exception {
        assertThat(PrivateSpamEngine.healthEntry(webAdmin).path("status").asText()).isEqualTo("healthy");
        engine.run("stop");
        assertThat(PrivateSpamEngine.healthEntry(webAdmin).path("status").asText()).isEqualTo("degraded");
        assertThat(PrivateSpamEngine.healthEntry(webAdmin).path("cause").asText()).startsWith("rspamd at 127.0.0.1:");

        long before = webAdmin.deliveredCount(USER);
        String unscanned = SpamMessages.newMessageId();
        assertThat(send(SpamMessages.clean(unscanned, USER, "while rspamd is down"))).startsWith("250");
        await().atMost(Duration.ofSeconds(30)).until(() -> webAdmin.deliveredCount(USER) == before + 1);
        assertThat(Mailboxes.inbox(gateway, tls, USER, PASSWORD)).filteredOn(raw -> raw.contains("<" + unscanned + ">"))
            .singleElement().satisfies(raw -> assertThat(Mailboxes.headers(raw)).contains("X-Spam-Status: unchecked (rspamd unavailable)"));
        assertThat(Files.readAllLines(gateway.log())).filteredOn(line -> line.contains("WARN") && line.contains("accepted unscanned (1 since start)"))
            .hasSize(1);

        engine.run("start");
        assertThat(PrivateSpamEngine.healthEntry(webAdmin).path("status").asText()).isEqualTo("healthy");
        gateway.stop();
        assertThat(engine.running()).as("the launcher stopped the rspamd it started").isFalse();
    }

    /** rspamd's log lines for the message with this Message-ID: one per scan. */
    private List<String> scansOf(String messageId) throws IOException {
        return Files.readAllLines(rspamdLog()).stream()
            .filter(line -> line.contains("rspamd_task_write_log") && line.contains("id: <" + messageId + ">")).toList();
    }

    private List<String> learningListenerLines() throws IOException {
        return Files.readAllLines(gateway.log()).stream().filter(line -> line.contains("SpamLearningListener")).toList();
    }

    /** The last lines rspamd's controller logged (learning is its work), for a failure's message. */
    private List<String> rspamdControllerLines() {
        try {
            List<String> lines = Files.readAllLines(rspamdLog()).stream()
                .filter(line -> line.contains("(controller)")).toList();
            return lines.subList(Math.max(0, lines.size() - 20), lines.size());
        } catch (IOException e) {
            return List.of("rspamd's log could not be read: " + e);
        }
    }

    /** Where the private rspamd that bin/gateway started writes its log. */
    private Path rspamdLog() {
        return gateway.home().resolve("var/rspamd/rspamd.log");
    }

    private String send(String message) throws Exception {
        return SpamMessages.sendToMx(gateway, tls, message, USER);
    }
}
