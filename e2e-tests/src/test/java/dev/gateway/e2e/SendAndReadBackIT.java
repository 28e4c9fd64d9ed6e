package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import jakarta.mail.Address;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.RawConnection;

/**
 * The foundation's promise, end to end with JavaMail against the real server: a user submits with AUTH over
 * STARTTLS on the submission port, a stranger delivers on the MX port, and both messages read back over IMAP,
 * IMAPS, POP3 and POP3S exactly as they were sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SendAndReadBackIT {

    private static final String ALICE = "alice@" + GatewayProcess.DOMAIN;
    private static final String BOB = "bob@" + GatewayProcess.DOMAIN;
    private static final String PASSWORD = "correct horse battery staple";
    private static final String BOB_PASSWORD = "bob's secret";

    GatewayProcess gateway;
    SSLContext tls;
    private byte[] submitted;
    private byte[] received;

    @BeforeAll
    void startGatewayAndSendBothMessages() throws Exception {
        gateway = GatewayProcess.start(ALICE, PASSWORD, gatewayEnvironment());
        gateway.addUser(BOB, BOB_PASSWORD);
        tls = gateway.trustingServerCertificate();

        submitted = rawMessage(ALICE, BOB, "Submitted with AUTH over STARTTLS");
        Session submission = Session.getInstance(smtpProperties(GatewayProcess.Port.SUBMISSION, true));
        try (Transport transport = submission.getTransport("smtp")) {
            transport.connect("127.0.0.1", gateway.port(GatewayProcess.Port.SUBMISSION), ALICE, PASSWORD);
            MimeMessage message = new MimeMessage(submission, new ByteArrayInputStream(submitted));
            transport.sendMessage(message, new Address[] {new InternetAddress(BOB)});
        }

        received = rawMessage("carol@remote.example", BOB, "Delivered to the MX port by a stranger");
        Session mx = Session.getInstance(smtpProperties(GatewayProcess.Port.SMTP, false));
        try (Transport transport = mx.getTransport("smtp")) {
            transport.connect("127.0.0.1", gateway.port(GatewayProcess.Port.SMTP), null, null);
            MimeMessage message = new MimeMessage(mx, new ByteArrayInputStream(received));
            transport.sendMessage(message, new Address[] {new InternetAddress(BOB)});
        }

        // Polled while the second message may be arriving: a reader racing a delivery can be told a message number is
        // not valid yet; that is the race, not a failure, and the next poll reads both.
        await().atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(IOException.class)
            .until(() -> readAll(Reader.IMAPS).size() == 2);
    }

    /** The launcher's environment; the memory profile unless a subclass runs the same tests on another. */
    Map<String, String> gatewayEnvironment() {
        return Map.of();
    }

    @AfterAll
    void stopGateway() throws Exception {
        GatewayProcess.closeAll(gateway);
    }

    enum Reader {
        IMAP("imap", GatewayProcess.Port.IMAP, true),
        IMAPS("imaps", GatewayProcess.Port.IMAPS, false),
        POP3("pop3", GatewayProcess.Port.POP3, true),
        POP3S("pop3s", GatewayProcess.Port.POP3S, false);

        final String protocol;
        final GatewayProcess.Port port;
        final boolean startTls;

        Reader(String protocol, GatewayProcess.Port port, boolean startTls) {
            this.protocol = protocol;
            this.port = port;
            this.startTls = startTls;
        }
    }

    @ParameterizedTest
    @EnumSource(Reader.class)
    void bothMessagesReadBackByteForByte(Reader reader) throws Exception {
        List<byte[]> messages = readAll(reader);

        assertThat(messages).hasSize(2);
        assertThat(messages).anySatisfy(raw -> assertArrivedIntact(raw, submitted));
        assertThat(messages).anySatisfy(raw -> assertArrivedIntact(raw, received));
    }

    @Test
    void submittedMessageCarriesTheAuthenticatedTraceHeaders() throws Exception {
        byte[] raw = readAll(Reader.IMAPS).stream()
            .filter(message -> endsWith(message, submitted))
            .findFirst().orElseThrow();
        String headers = headerBlockAddedByServer(raw, submitted);

        assertThat(headers).contains("Return-Path: <" + ALICE + ">");
        assertThat(headers).containsPattern("Received: from .*\\(\\[127\\.0\\.0\\.1]\\)");
        assertThat(headers).contains("Delivered-To: " + BOB);
    }

    @Test
    void mxMessageCarriesTheEnvelopeSender() throws Exception {
        byte[] raw = readAll(Reader.IMAP).stream()
            .filter(message -> endsWith(message, received))
            .findFirst().orElseThrow();

        assertThat(headerBlockAddedByServer(raw, received)).contains("Return-Path: <carol@remote.example>");
    }

    @Test
    void pipelinedImapCommandsAreEachJudgedInTheStateTheCommandsBeforeThemLeft() throws Exception {
        try (RawConnection imap = RawConnection.openTls(gateway, GatewayProcess.Port.IMAPS, tls)) {
            imap.lineStartingWith("* OK");
            // One write, as a pipelining client may send it (RFC 9051 section 5.5). On the cluster profile LOGIN and
            // SELECT complete on Cassandra's threads, after the commands behind them have been read; the CREATE is
            // parsed before its session has a mailbox session.
            imap.send("q1 LOGIN " + BOB + " \"" + BOB_PASSWORD + "\"\r\n"
                + "q0 CREATE Pipelined-" + UUID.randomUUID() + "\r\n"
                + "q2 SELECT INBOX\r\n"
                + "q3 FETCH 2 (FLAGS)\r\n"
                + "q4 CLOSE\r\n"
                + "q5 FETCH 2 (FLAGS)\r\n"
                + "q6 EXAMINE INBOX\r\n"
                + "q7 FETCH 1:2 (UID)\r\n"
                + "q8 LOGOUT\r\n");
            String replies = imap.readUntil(Pattern.compile("(?m)^q8 [^\r\n]*\r\n"), Duration.ofSeconds(30));
            List<String> tagged = replies.lines().filter(line -> line.matches("q\\d .*")).toList();
            assertThat(tagged).extracting(line -> line.substring(0, 5))
                .containsExactly("q1 OK", "q0 OK", "q2 OK", "q3 OK", "q4 OK", "q5 NO", "q6 OK", "q7 OK", "q8 OK");
        }
    }

    @Test
    void aliceHasNothingInHerInbox() throws Exception {
        Store store = Session.getInstance(readerProperties(Reader.IMAPS)).getStore("imaps");
        store.connect("127.0.0.1", gateway.port(GatewayProcess.Port.IMAPS), ALICE, PASSWORD);
        try (store; Folder inbox = store.getFolder("INBOX")) {
            inbox.open(Folder.READ_ONLY);
            assertThat(inbox.getMessageCount()).isZero();
        }
    }

    @Test
    void wrongPasswordIsRefusedOnEveryReader() {
        for (Reader reader : Reader.values()) {
            Session session = Session.getInstance(readerProperties(reader));
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> {
                try (Store store = session.getStore(reader.protocol)) {
                    store.connect("127.0.0.1", gateway.port(reader.port), BOB, "not the password");
                }
            })).as(reader.name()).isInstanceOf(jakarta.mail.AuthenticationFailedException.class);
        }
    }

    @Test
    void pop3RefusesPasswordsBeforeStls() throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.port(GatewayProcess.Port.POP3))) {
            socket.setSoTimeout(20_000);
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            java.io.Writer out = new java.io.OutputStreamWriter(socket.getOutputStream(), StandardCharsets.US_ASCII);
            assertThat(in.readLine()).startsWith("+OK");

            out.write("USER " + BOB + "\r\n");
            out.flush();
            assertThat(in.readLine()).isEqualTo("-ERR [AUTH] Plaintext authentication disallowed, use STLS first");
            out.write("PASS " + BOB_PASSWORD + "\r\n");
            out.flush();
            assertThat(in.readLine()).isEqualTo("-ERR [AUTH] Plaintext authentication disallowed, use STLS first");
        }
    }

    private static void assertArrivedIntact(byte[] raw, byte[] sent) {
        assertThat(endsWith(raw, sent))
            .as("the stored message ends with the exact bytes sent:\n%s", new String(raw, StandardCharsets.UTF_8))
            .isTrue();
    }

    static boolean endsWith(byte[] raw, byte[] suffix) {
        return raw.length >= suffix.length
            && Arrays.equals(raw, raw.length - suffix.length, raw.length, suffix, 0, suffix.length);
    }

    private static String headerBlockAddedByServer(byte[] raw, byte[] sent) {
        return new String(raw, 0, raw.length - sent.length, StandardCharsets.UTF_8);
    }

    private List<byte[]> readAll(Reader reader) throws MessagingException, IOException {
        return readAll(reader, BOB, BOB_PASSWORD);
    }

    /** Every message in {@code user}'s INBOX, as {@code reader} reads it. */
    List<byte[]> readAll(Reader reader, String user, String password) throws MessagingException, IOException {
        Session session = Session.getInstance(readerProperties(reader));
        Store store = session.getStore(reader.protocol);
        store.connect("127.0.0.1", gateway.port(reader.port), user, password);
        try (store; Folder inbox = store.getFolder("INBOX")) {
            inbox.open(Folder.READ_ONLY);
            List<byte[]> messages = new ArrayList<>();
            for (Message message : inbox.getMessages()) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                message.writeTo(out);
                messages.add(out.toByteArray());
            }
            return messages;
        }
    }

    Properties smtpProperties(GatewayProcess.Port port, boolean authenticate) {
        Properties properties = new Properties();
        properties.put("mail.smtp.starttls.enable", "true");
        properties.put("mail.smtp.starttls.required", "true");
        properties.put("mail.smtp.auth", String.valueOf(authenticate));
        properties.put("mail.smtp.ssl.socketFactory", tls.getSocketFactory());
        properties.put("mail.smtp.ssl.checkserveridentity", "true");
        properties.put("mail.smtp.localhost", "client.example");
        properties.put("mail.smtp.timeout", "20000");
        return properties;
    }

    Properties readerProperties(Reader reader) {
        Properties properties = new Properties();
        String prefix = "mail." + reader.protocol + ".";
        properties.put(prefix + "ssl.socketFactory", tls.getSocketFactory());
        properties.put(prefix + "ssl.checkserveridentity", "true");
        properties.put(prefix + "timeout", "20000");
        if (reader.startTls) {
            properties.put(prefix + "starttls.enable", "true");
            properties.put(prefix + "starttls.required", "true");
        }
        return properties;
    }

    /**
     * A message whose bytes are fixed in advance: CRLF line ends, a UTF-8 quoted-printable body, a line that starts
     * with a dot (SMTP dot-stuffing must undo itself) and a unique id so no two runs or messages look alike.
     */
    private static byte[] rawMessage(String from, String to, String subject) {
        String id = UUID.randomUUID().toString();
        String text = String.join("\r\n",
            "From: " + from,
            "To: " + to,
            "Subject: " + subject,
            "Message-ID: <" + id + "@client.example>",
            "Date: Mon, 23 Nov 2026 10:00:00 +0000",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: quoted-printable",
            "X-Gateway-Test: " + id,
            "",
            "Hello from the end-to-end test.",
            ".a line starting with a dot",
            "Caf=C3=A9 cr=C3=A8me br=C3=BBl=C3=A9e",
            "",
            "-- ",
            "the end",
            "");
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
