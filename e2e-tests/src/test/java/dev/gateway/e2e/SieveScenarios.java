package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Store;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.Mailboxes;
import dev.gateway.testkit.SmtpSession;

/**
 * Sieve for end users, with a ManageSieve client nobody here wrote: Debian's {@code sieve-connect} uploads and activates
 * Alice's script over port 4190 (STARTTLS, AUTHENTICATE PLAIN); mail sent to her over SMTP is then filed into a folder
 * (read back over IMAP) or answered by her vacation reply, once per sender, never to automatic mail.
 * A missing sieve-connect is a failure, not a skip: bin/install-deps installs it. {@link SieveIT} runs these on the
 * memory profile, {@link SieveClusterIT} on the cluster profile (scripts and vacation records in Cassandra).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class SieveScenarios {

    static final String ALICE = "alice@" + GatewayProcess.DOMAIN;
    private static final String BOB = "bob@" + GatewayProcess.DOMAIN;
    private static final String CAROL = "carol@" + GatewayProcess.DOMAIN;
    private static final String DAVE = "dave@" + GatewayProcess.DOMAIN;
    static final String PASSWORD = "sieve test secret";
    private static final String VACATION_SUBJECT = "Away until Monday";

    /** The gateway under test, started by the subclass's extension with Alice as its first user. */
    abstract GatewayExtension gateway();

    @Test
    @Order(1)
    void authenticationBeforeStartTlsIsRefusedWithEncryptNeeded() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", gateway().process().port(GatewayProcess.Port.MANAGESIEVE))) {
            socket.setSoTimeout(20_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            List<String> greeting = untilStatus(in);
            assertThat(greeting).contains("\"STARTTLS\"");
            OutputStream out = socket.getOutputStream();
            String credentials = Base64.getEncoder().encodeToString(("\0" + ALICE + "\0" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            out.write(("AUTHENTICATE \"PLAIN\" \"" + credentials + "\"\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(untilStatus(in)).last().asString().startsWith("NO (ENCRYPT-NEEDED)");
        }
    }

    @Test
    @Order(2)
    void scriptUploadedWithSieveConnectFilesIntoAFolderAndAnswersOncePerSender() throws Exception {
        GatewayProcess gateway = gateway().process();
        for (String user : List.of(BOB, CAROL, DAVE)) {
            gateway.addUser(user, PASSWORD);
        }
        Path script = Path.of("src/test/resources/sieve/away.sieve").toAbsolutePath();
        sieveConnect("--upload", "--localsieve", script.toString(), "--remotesieve", "away");
        sieveConnect("--activate", "--remotesieve", "away");
        assertThat(sieveConnect("--list")).contains("away");

        send(BOB, "[lists] weekly digest", "");
        send(BOB, "hello one", "");
        send(BOB, "hello two", "");
        send(CAROL, "hello from carol", "");
        // Automatic mail is never answered (RFC 3834): an out-of-office notice from Dave.
        send(DAVE, "dave is out too", "Auto-Submitted: auto-replied\r\n");

        // Every vacation decision is logged as it is taken: four of them (the list mail stops before vacation) mean the
        // script has run on every message. Then the two replies decided are awaited, and the spool left to drain.
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
            .until(() -> vacationDecisions(gateway).size() == 4);
        assertThat(vacationDecisions(gateway)).satisfiesExactlyInAnyOrder(
            line -> assertThat(line).contains("Vacation reply from " + ALICE + " to " + BOB),
            line -> assertThat(line).contains("No vacation reply for " + ALICE + " to " + BOB + ": already answered within 7 days"),
            line -> assertThat(line).contains("Vacation reply from " + ALICE + " to " + CAROL),
            line -> assertThat(line).contains("No vacation reply for " + ALICE + " to mail ").endsWith(": Auto-Submitted: auto-replied"));
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
            .until(() -> gateway().webAdmin().deliveredCount(BOB) >= 1 && gateway().webAdmin().deliveredCount(CAROL) >= 1);
        gateway().webAdmin().awaitNothingQueuedOrParked();

        assertThat(subjects(ALICE, "INBOX"))
            .containsExactlyInAnyOrder("hello one", "hello two", "hello from carol", "dave is out too");
        assertThat(subjects(ALICE, "Lists")).containsExactly("[lists] weekly digest");

        List<String> bobsMail = Mailboxes.inbox(gateway, gateway().tls(), BOB, PASSWORD);
        assertThat(bobsMail).as("one vacation reply to Bob for his two messages").hasSize(1);
        String reply = Mailboxes.headers(bobsMail.get(0));
        assertThat(reply)
            .contains("Subject: " + VACATION_SUBJECT)
            .contains("Auto-Submitted: auto-replied")
            .contains("Return-Path: <>")
            .contains("In-Reply-To: ");
        assertThat(bobsMail.get(0)).contains("I am away until Monday");

        assertThat(Mailboxes.inbox(gateway, gateway().tls(), CAROL, PASSWORD)).as("Carol is another sender: her own reply")
            .hasSize(1).allMatch(raw -> Mailboxes.headers(raw).contains("Subject: " + VACATION_SUBJECT));
        assertThat(Mailboxes.inbox(gateway, gateway().tls(), DAVE, PASSWORD)).as("no reply to an automatic reply").isEmpty();
    }

    /** The vacation action's log lines: one per message it was asked to answer, sent or not and why. */
    private static List<String> vacationDecisions(GatewayProcess gateway) throws Exception {
        try (java.util.stream.Stream<String> lines = Files.lines(gateway.log())) {
            return lines.filter(line -> line.contains("Vacation reply from ") || line.contains("No vacation reply for "))
                .map(String::trim)
                .toList();
        }
    }

    private void send(String from, String subject, String extraHeaders) throws Exception {
        try (SmtpSession smtp = SmtpSession.authenticatedSubmission(gateway().process(), gateway().tls(), from, PASSWORD)) {
            String message = "From: " + from + "\r\nTo: " + ALICE + "\r\nSubject: " + subject + "\r\n" + extraHeaders
                + "Message-ID: <" + subject.replaceAll("\\W", "") + "." + from + ">\r\n\r\nbody of " + subject + "\r\n";
            assertThat(smtp.send(from, message, ALICE)).startsWith("250");
        }
    }

    private List<String> subjects(String user, String folderName) throws Exception {
        Store store = Mailboxes.imaps(gateway().process(), gateway().tls(), user, PASSWORD);
        try (store; Folder folder = store.getFolder(folderName)) {
            if (!folder.exists()) {
                return List.of();
            }
            folder.open(Folder.READ_ONLY);
            List<String> subjects = new ArrayList<>();
            for (Message message : folder.getMessages()) {
                subjects.add(message.getSubject());
            }
            return subjects;
        }
    }

    /** Runs sieve-connect as Alice against the gateway, trusting only its certificate; the password goes on stdin. */
    private String sieveConnect(String... action) throws Exception {
        GatewayProcess gateway = gateway().process();
        List<String> command = new ArrayList<>(List.of("sieve-connect",
            "--server", "127.0.0.1", "--port", String.valueOf(gateway.port(GatewayProcess.Port.MANAGESIEVE)),
            "--user", ALICE, "--authmech", "PLAIN", "--passwordfd", "0", "--noclearauth",
            "--tlscafile", gateway.home().resolve("var/tls/gateway.crt").toString(), "--tlshostname", "localhost"));
        command.addAll(List.of(action));
        return gateway.run(command, Duration.ofSeconds(60), PASSWORD + "\n");
    }

    /** Lines up to and including the first OK/NO/BYE status line. */
    private static List<String> untilStatus(BufferedReader in) throws Exception {
        List<String> lines = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null) {
            lines.add(line);
            if (line.startsWith("OK") || line.startsWith("NO") || line.startsWith("BYE")) {
                return lines;
            }
        }
        return lines;
    }
}
