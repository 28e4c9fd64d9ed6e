package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.gateway.testkit.FreePorts;
import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.Mailboxes;
import dev.gateway.testkit.SmtpSession;
import dev.gateway.testkit.WebAdminClient;

/**
 * The routing table end to end, with real receiving servers on loopback:
 * <ul>
 *   <li>EDGE, the gateway under test, with a routing table in a file of its own;</li>
 *   <li>RELAY, a second gateway acting as smarthost for partner.test: its submission port wants STARTTLS and AUTH;</li>
 *   <li>postfix's smtp-sink as the smarthost for later.test, started only after mail for it is queued (down, then up);</li>
 *   <li>a port where nothing listens as the smarthost for nowhere.test (retries exhausted, DSN to the sender).</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoutingIT {

    private static final String ALICE = "alice@" + GatewayProcess.DOMAIN;
    private static final String CAROL = "carol@" + GatewayProcess.DOMAIN;
    private static final String PASSWORD = "routing test password";
    private static final String RELAY_LOGIN = "relay@" + GatewayProcess.DOMAIN;
    private static final String RELAY_PASSWORD = "relay's own password";
    private static final String BOB = "bob@partner.test";
    private static final ObjectMapper JSON = new ObjectMapper();

    private GatewayProcess relay;
    private GatewayProcess edge;
    private WebAdminClient edgeAdmin;
    private Path table;
    private String originalTable;
    private int laterPort;

    @BeforeAll
    void start() throws Exception {
        relay = GatewayProcess.start(RELAY_LOGIN, RELAY_PASSWORD, Map.of("GATEWAY_SPAM_ENABLED", "false",
            // The edge gateway relays its users' mail: the relay lets its login send for their domain.
            "GATEWAY_SENDER_PERMITTED_DOMAINS", GatewayProcess.DOMAIN));
        relay.launcher(Duration.ofSeconds(30), "add-domain", "partner.test");
        relay.addUser(BOB, PASSWORD);

        laterPort = FreePorts.one();
        table = Files.createTempFile("routing-", ".yaml");
        originalTable = table(relay.port(GatewayProcess.Port.SUBMISSION), laterPort, FreePorts.one());
        Files.writeString(table, originalTable);
        edge = GatewayProcess.start(ALICE, PASSWORD, Map.of("GATEWAY_SPAM_ENABLED", "false",
            "GATEWAY_ROUTING_TABLE", table.toString(),
            "SMARTHOST_PARTNER_PASSWORD", RELAY_PASSWORD));
        edge.addUser(CAROL, PASSWORD);
        edgeAdmin = new WebAdminClient(edge);
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (edge != null) {
                edge.close();
            }
        } finally {
            if (relay != null) {
                relay.close();
            }
            Files.deleteIfExists(table);
        }
    }

    private static String table(int relayPort, int laterPort, int nowherePort) {
        return """
            version: 1
            smarthosts:
              partner-relay:
                host: 127.0.0.1
                port: %d
                tls: starttls-required
                verify-certificate: false
                auth: {username: %s, password-env: SMARTHOST_PARTNER_PASSWORD}
                retry: {delays: [2 seconds], max-retries: 5}
              later:
                host: 127.0.0.1
                port: %d
                tls: none
                retry: {delays: [2 seconds], max-retries: 100}
              nowhere:
                host: 127.0.0.1
                port: %d
                tls: none
                retry: {delays: [1 second], max-retries: 2}
            rules:
              - name: board-internal-only
                when: {recipient: [board@example.test], authenticated: false}
                action: reject
                reply: 550 5.7.1 The board takes mail from colleagues only
              - name: refuse-marked
                when: {header: {X-Refuse-Me: "yes"}}
                action: reject
                reply: 554 5.7.0 Marked messages are refused here
              - name: confidential
                when: {header: {X-Classification: "(?i)confidential"}}
                action: quarantine
              - name: old-address-moved
                when: {recipient: [old-bob@partner.test]}
                action: redirect
                address: carol@example.test
              - name: copy-marked-to-carol
                when: {header: {X-Copy-To-Carol: "yes"}}
                action: copy
                address: carol@example.test
              - name: partner
                when: {recipient-domain: [partner.test]}
                action: relay
                smarthost: partner-relay
                add-headers: {X-Routed-By: partner}
              - name: later
                when: {recipient-domain: [later.test]}
                action: relay
                smarthost: later
              - name: nowhere
                when: {recipient-domain: [nowhere.test]}
                action: relay
                smarthost: nowhere
              - name: carol-by-rule
                when: {recipient: [carol@example.test]}
                action: deliver
                add-headers: {X-Delivered-By-Rule: carol-by-rule}
            """.formatted(relayPort, RELAY_LOGIN, laterPort, nowherePort);
    }

    private String submit(String subject, String headers, String... recipients) throws Exception {
        String message = headers + SmtpSession.message(ALICE, String.join(", ", recipients), subject);
        try (SmtpSession smtp = SmtpSession.authenticatedSubmission(edge, edge.trustingServerCertificate(), ALICE, PASSWORD)) {
            return smtp.send(ALICE, message, recipients);
        }
    }

    /** IMAP gives CRLF line ends, smtp-sink's dumps LF. */
    private static List<String> withSubject(List<String> messages, String subject) {
        return messages.stream().filter(message -> message.replace("\r\n", "\n").contains("Subject: " + subject + "\n")).toList();
    }

    @Test
    void partnerDomainGoesThroughTheSmarthostWithStartTlsAndAuth() throws Exception {
        assertThat(submit("to the partner", "", BOB)).startsWith("250");

        // Other tests also send to bob: wait for this message itself.
        await().atMost(Duration.ofSeconds(60)).until(() ->
            withSubject(Mailboxes.inbox(relay, relay.trustingServerCertificate(), BOB, PASSWORD), "to the partner").size() == 1);
        String received = withSubject(Mailboxes.inbox(relay, relay.trustingServerCertificate(), BOB, PASSWORD), "to the partner")
            .get(0);
        String headers = Mailboxes.headers(received);
        assertThat(headers).contains("X-Routed-By: partner");
        // The relay's own trace header, the topmost: the edge authenticated (James writes ESMTPA)...
        assertThat(headers.substring(headers.indexOf("Received:"))).containsPattern("^Received: [^\\r\\n]*with ESMTPA");
        // ...which the relay's submission port allows only after STARTTLS.
        try (SmtpSession plain = SmtpSession.connect(relay, GatewayProcess.Port.SUBMISSION, relay.trustingServerCertificate())) {
            plain.ehlo("client.example");
            assertThat(plain.authPlain(RELAY_LOGIN, RELAY_PASSWORD)).startsWith("5");
        }
        assertThat(Files.readString(edge.log())).doesNotContain(RELAY_PASSWORD);
    }

    @Test
    void oneMessageToTwoRecipientsIsSplitLocalAndSmarthost() throws Exception {
        assertThat(submit("split two ways", "", CAROL, BOB)).startsWith("250");

        await().atMost(Duration.ofSeconds(60)).until(() ->
            withSubject(Mailboxes.inbox(edge, edge.trustingServerCertificate(), CAROL, PASSWORD), "split two ways").size() == 1
            && withSubject(Mailboxes.inbox(relay, relay.trustingServerCertificate(), BOB, PASSWORD), "split two ways").size() == 1);
        String local = withSubject(Mailboxes.inbox(edge, edge.trustingServerCertificate(), CAROL, PASSWORD), "split two ways").get(0);
        String remote = withSubject(Mailboxes.inbox(relay, relay.trustingServerCertificate(), BOB, PASSWORD), "split two ways").get(0);
        // Each copy carries its own rule's header, and only that one.
        assertThat(Mailboxes.headers(local)).contains("X-Delivered-By-Rule: carol-by-rule").doesNotContain("X-Routed-By");
        assertThat(Mailboxes.headers(remote)).contains("X-Routed-By: partner").doesNotContain("X-Delivered-By-Rule");
        assertThat(withSubject(Mailboxes.inbox(edge, edge.trustingServerCertificate(), CAROL, PASSWORD), "split two ways")).hasSize(1);
    }

    @Test
    void redirectSendsTheRecipientsMailElsewhereAndCopyAddsARecipient() throws Exception {
        assertThat(submit("moved away", "", "old-bob@partner.test")).startsWith("250");
        assertThat(submit("copied along", "X-Copy-To-Carol: yes\r\n", BOB)).startsWith("250");

        await().atMost(Duration.ofSeconds(60)).until(() ->
            withSubject(Mailboxes.inbox(edge, edge.trustingServerCertificate(), CAROL, PASSWORD), "moved away").size() == 1
                && withSubject(Mailboxes.inbox(edge, edge.trustingServerCertificate(), CAROL, PASSWORD), "copied along").size() == 1
                && withSubject(Mailboxes.inbox(relay, relay.trustingServerCertificate(), BOB, PASSWORD), "copied along").size() == 1);
        // The redirect and the copy are routed afresh: carol's own rule applies to them.
        assertThat(Mailboxes.headers(withSubject(Mailboxes.inbox(edge, edge.trustingServerCertificate(), CAROL, PASSWORD),
            "moved away").get(0))).contains("X-Delivered-By-Rule: carol-by-rule");
        assertThat(Mailboxes.headers(withSubject(Mailboxes.inbox(relay, relay.trustingServerCertificate(), BOB, PASSWORD),
            "copied along").get(0))).contains("X-Routed-By: partner");
        assertThat(withSubject(Mailboxes.inbox(relay, relay.trustingServerCertificate(), BOB, PASSWORD), "moved away")).isEmpty();
    }

    @Test
    void quarantineRuleKeepsTheMessageAndDeliversNothing() throws Exception {
        long before = edgeAdmin.repositorySize("var/mail/routing-quarantine");
        long carolBefore = edgeAdmin.deliveredCount(CAROL);
        assertThat(submit("confidential plans", "X-Classification: Confidential\r\n", CAROL)).startsWith("250");

        await().atMost(Duration.ofSeconds(30)).until(() -> edgeAdmin.repositorySize("var/mail/routing-quarantine") == before + 1);
        assertThat(edgeAdmin.deliveredCount(CAROL)).isEqualTo(carolBefore);
        List<String> quarantined = new java.util.ArrayList<>();
        for (String key : edgeAdmin.repositoryKeys("var/mail/routing-quarantine")) {
            quarantined.add(edgeAdmin.repositoryMessage("var/mail/routing-quarantine", key));
        }
        assertThat(withSubject(quarantined, "confidential plans")).singleElement().asString()
            .contains("X-Classification: Confidential");
    }

    @Test
    void envelopeRejectRuleRefusesThatRecipientAtRcptWithItsReply() throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(edge, GatewayProcess.Port.SMTP, edge.trustingServerCertificate())) {
            smtp.ehlo("client.example");
            assertThat(smtp.command("MAIL FROM:<someone@remote.example>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<board@example.test>"))
                .isEqualTo("550 5.7.1 The board takes mail from colleagues only");
            assertThat(smtp.command("RCPT TO:<" + CAROL + ">")).startsWith("250");
        }
    }

    @Test
    void headerRejectRuleRefusesTheMessageAtEndOfData() throws Exception {
        long spoolBefore = edgeAdmin.queueSize("spool");
        long carolBefore = edgeAdmin.deliveredCount(CAROL);
        try (SmtpSession smtp = SmtpSession.connect(edge, GatewayProcess.Port.SMTP, edge.trustingServerCertificate())) {
            smtp.ehlo("client.example");
            String reply = smtp.send("someone@remote.example",
                "X-Refuse-Me: yes\r\n" + SmtpSession.message("someone@remote.example", CAROL, "refuse me"), CAROL);
            assertThat(reply).isEqualTo("554 5.7.0 Marked messages are refused here");
            // The same session goes on: a message accepted after the refused one, whose delivery is the sign that
            // anything the refused one had left in the spool would have been delivered too.
            assertThat(smtp.send("someone@remote.example",
                SmtpSession.message("someone@remote.example", CAROL, "after the refused one"), CAROL)).startsWith("250");
        }
        await().atMost(Duration.ofSeconds(30)).until(() ->
            withSubject(Mailboxes.inbox(edge, edge.trustingServerCertificate(), CAROL, PASSWORD), "after the refused one").size() == 1);
        assertThat(withSubject(Mailboxes.inbox(edge, edge.trustingServerCertificate(), CAROL, PASSWORD), "refuse me")).isEmpty();
        assertThat(edgeAdmin.deliveredCount(CAROL)).isEqualTo(carolBefore + 1);
        assertThat(edgeAdmin.queueSize("spool")).isEqualTo(spoolBefore);
        assertThat(edgeAdmin.repositorySize("var/mail/routing-rejected")).isZero();
    }

    @Test
    void smarthostDownThenUpDeliversOnce() throws Exception {
        assertThat(submit("wait for the relay", "", "dave@later.test")).startsWith("250");
        // Down: connection refused, the message waits in the smarthost's queue for its next attempt.
        await().atMost(Duration.ofSeconds(30)).until(() -> edgeAdmin.queueSize("smarthost-later") == 1);
        // Each failed attempt puts the mail back with a later due time: three due times seen are two attempts that
        // failed and kept the mail, never a bounce or a loss.
        java.util.Set<String> names = new java.util.HashSet<>();
        java.util.Set<String> dueTimes = new java.util.HashSet<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            for (JsonNode mail : edgeAdmin.get("/mailQueues/smarthost-later/mails")) {
                names.add(mail.get("name").asText());
                dueTimes.add(mail.path("nextDelivery").asText());
            }
            return dueTimes.size() >= 3;
        });
        assertThat(names).as("mails seen waiting for the smarthost").hasSize(1);
        assertThat(edgeAdmin.queueSize("smarthost-later")).isEqualTo(1);

        try (SmtpSink sink = SmtpSink.start(laterPort)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> !withSubject(sink.messages(), "wait for the relay").isEmpty());
            // A second message through the same smarthost, sent after the first one arrived: once it has arrived too
            // and the queue is empty, nothing is left that could send the first one again.
            assertThat(submit("after the relay came back", "", "dave@later.test")).startsWith("250");
            await().atMost(Duration.ofSeconds(60)).until(() -> !withSubject(sink.messages(), "after the relay came back").isEmpty()
                && edgeAdmin.queueSize("smarthost-later") == 0);
            assertThat(withSubject(sink.messages(), "wait for the relay")).hasSize(1);
            assertThat(withSubject(sink.messages(), "after the relay came back")).hasSize(1);
        }
        assertThat(Mailboxes.inbox(edge, edge.trustingServerCertificate(), ALICE, PASSWORD))
            .as("no bounce to the sender").noneMatch(message -> message.contains("dave@later.test"));
    }

    @Test
    void senderGetsADsnAfterTheLastRetryFails() throws Exception {
        assertThat(submit("never arrives", "", "erin@nowhere.test")).startsWith("250");

        await().atMost(Duration.ofSeconds(90)).until(() -> Mailboxes.inbox(edge, edge.trustingServerCertificate(), ALICE, PASSWORD)
            .stream().anyMatch(message -> message.contains("erin@nowhere.test")));
        String dsn = Mailboxes.inbox(edge, edge.trustingServerCertificate(), ALICE, PASSWORD).stream()
            .filter(message -> message.contains("erin@nowhere.test")).findFirst().orElseThrow();
        assertThat(dsn).contains("report-type=delivery-status").contains("Final-Recipient: rfc822; erin@nowhere.test")
            .contains("Action: failed");
        assertThat(edgeAdmin.queueSize("smarthost-nowhere")).isZero();
    }

    @Test
    void explainShowsWhichRuleFiresForEachRecipientAndWhy() throws Exception {
        String printed = edge.launcher(Duration.ofSeconds(30), "routing", "explain", "--from", "someone@remote.example",
            "--to", "board@example.test", "--to", BOB, "--to", CAROL, "--to", "zoe@example.test",
            "--header", "Subject: hello");
        assertThat(printed)
            .contains("board@example.test: reject with 550 5.7.1 The board takes mail from colleagues only (rule 'board-internal-only', line 21)")
            .contains("bob@partner.test: relay via partner-relay (rule 'partner', line 40)")
            .contains("adds header X-Routed-By: partner")
            .contains("carol@example.test: deliver (rule 'carol-by-rule', line 53)")
            .contains("zoe@example.test: default")
            .contains("rule 'confidential' (line 29): no match, header {X-Classification ~ (?i)confidential} does not hold");

        String atRcpt = edge.launcher(Duration.ofSeconds(30), "routing", "explain", "--stage", "rcpt", "--to", BOB);
        assertThat(atRcpt).contains("bob@partner.test: undecided until DATA")
            .contains("rule 'refuse-marked' (line 25): cannot be decided yet, needs header");

        HttpResponse<String> json = edgeAdmin.post("/routing/explain", "application/json",
            "{\"sender\":\"x@remote.example\",\"recipients\":[\"" + CAROL + "\"],\"authenticated\":true}");
        assertThat(json.statusCode()).isEqualTo(200);
        JsonNode answer = JSON.readTree(json.body()).get(0);
        assertThat(answer.get("rule").asText()).isEqualTo("carol-by-rule");
        assertThat(answer.get("line").asInt()).isEqualTo(53);
        assertThat(edgeAdmin.post("/routing/explain", "application/json", "{\"recipients\":[\"not an address\"]}").statusCode())
            .isEqualTo(400);
    }

    @Test
    void validTableTakesEffectWithoutRestart() throws Exception {
        try {
            Files.writeString(table, originalTable.replace("rules:\n", """
                rules:
                  - name: newly-added
                    when: {recipient-domain: [reloaded.test]}
                    action: quarantine
                """));
            assertThat(edge.launcher(Duration.ofSeconds(30), "routing", "reload")).contains("routing table reloaded");
            long before = edgeAdmin.repositorySize("var/mail/routing-quarantine");
            assertThat(submit("after reload", "", "zed@reloaded.test")).startsWith("250");
            await().atMost(Duration.ofSeconds(30)).until(() -> edgeAdmin.repositorySize("var/mail/routing-quarantine") == before + 1);
            assertThat(edgeAdmin.get("/routing").get("rules").get(0).get("name").asText()).isEqualTo("newly-added");
        } finally {
            Files.writeString(table, originalTable);
            edge.launcher(Duration.ofSeconds(30), "routing", "reload");
        }
    }

    @Test
    void invalidTableIsRefusedWithItsLineAndTheOldOneKeepsWorking() throws Exception {
        try {
            Files.writeString(table, originalTable.replace("smarthost: later\n", "smarthost: latter\n"));
            HttpResponse<String> refused = edgeAdmin.post("/routing/reload", "application/json", "");
            assertThat(refused.statusCode()).isEqualTo(400);
            JsonNode error = JSON.readTree(refused.body());
            assertThat(error.get("line").asInt()).isEqualTo(45);
            assertThat(error.get("problem").asText()).contains("smarthost 'latter' is not defined");
            assertThatThrownBy(() -> edge.launcher(Duration.ofSeconds(30), "routing", "reload"))
                .hasMessageContaining("line 45").hasMessageContaining("smarthost 'latter' is not defined");
            assertThatThrownBy(() -> edge.launcher(Duration.ofSeconds(30), "routing", "check", table.toString()))
                .hasMessageContaining("line 45");

            // Traffic keeps flowing on the old table: carol's rule still adds its header.
            assertThat(submit("old table still here", "", CAROL)).startsWith("250");
            await().atMost(Duration.ofSeconds(30)).until(() -> withSubject(
                Mailboxes.inbox(edge, edge.trustingServerCertificate(), CAROL, PASSWORD), "old table still here").size() == 1);
            assertThat(Mailboxes.headers(withSubject(Mailboxes.inbox(edge, edge.trustingServerCertificate(), CAROL, PASSWORD),
                "old table still here").get(0))).contains("X-Delivered-By-Rule: carol-by-rule");
            assertThat(edgeAdmin.get("/routing").get("rules").get(0).get("name").asText()).isEqualTo("board-internal-only");
        } finally {
            Files.writeString(table, originalTable);
        }
    }
}
