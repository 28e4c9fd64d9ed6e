package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.Mailboxes;
import dev.gateway.testkit.RawConnection;
import dev.gateway.testkit.SmtpSession;

/**
 * SMTP smuggling and malformed SMTP commands against the MX listener, over raw sockets that send exactly the bytes
 * an attacker would. A bare CR or LF anywhere in DATA ends the session with {@code 500 5.5.2} and nothing is
 * queued (docs/security.md); one DATA never yields two messages; broken commands get their reply code and the
 * session goes on.
 * {@link HostileSmtpInputIT} runs these on the memory profile, {@link HostileSmtpInputClusterIT} on the shipped
 * default, the cluster profile (queues, mailboxes and repositories in Cassandra).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class HostileSmtpInputScenarios {

    static final String PASSWORD = "hostile smtp test password";
    private static final String VICTIM = "victim@" + GatewayProcess.DOMAIN;
    private static final Pattern DATA_GO_AHEAD = Pattern.compile("(?m)^354 [^\\r\\n]*\\r\\n");
    private static final Duration CLOSE_WITHIN = Duration.ofSeconds(20);

    /** The one gateway of the concrete class, started once for all its tests. */
    abstract GatewayExtension gateway();

    @BeforeAll
    void setUp() throws Exception {
        gateway().process().addUser(VICTIM, PASSWORD);
    }

    /** The end-of-data look-alikes of the 2023 SMTP smuggling disclosure, and their mirror images. */
    static Stream<Arguments> smugglingTerminators() {
        return Stream.of(
            Arguments.of("<LF>.<LF>", "\n.\n"),
            Arguments.of("<CR>.<CR>", "\r.\r"),
            Arguments.of("<LF>.<CR><LF>", "\n.\r\n"),
            Arguments.of("<CR><LF>.<LF>", "\r\n.\n"),
            Arguments.of("<CR>.<CR><LF>", "\r.\r\n"),
            Arguments.of("<CR><LF>.<CR>", "\r\n.\r"),
            Arguments.of("<CR>.<LF>", "\r.\n"),
            Arguments.of("<LF>.<CR>", "\n.\r"),
            Arguments.of("<CR><LF>.<CR><CR><LF>", "\r\n.\r\r\n"),
            Arguments.of("<CR><CR><LF>.<CR><CR><LF>", "\r\r\n.\r\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smugglingTerminators")
    void aSmuggledSecondMessageEndsTheSessionAndNothingIsQueued(String name, String terminator) throws Exception {
        long before = gateway().webAdmin().deliveredCount(VICTIM);
        long logStart = gateway().process().logEnd();
        try (RawConnection smtp = RawConnection.open(gateway().process(), GatewayProcess.Port.SMTP)) {
            openTransaction(smtp);
            smtp.send("From: <partner@sender.example>\r\nSubject: legitimate\r\n\r\nhello" + terminator
                + "MAIL FROM:<ceo@" + GatewayProcess.DOMAIN + ">\r\nRCPT TO:<" + VICTIM + ">\r\nDATA\r\n"
                + "From: <ceo@" + GatewayProcess.DOMAIN + ">\r\nSubject: smuggled\r\n\r\nwire the money\r\n.\r\n");
            // A client that then ends the message properly must not get it accepted either.
            trySend(smtp, "\r\n.\r\nQUIT\r\n");

            String replies = smtp.readUntilClosed(CLOSE_WITHIN);
            assertThat(replies).startsWith("500 5.5.2 Bare CR or LF in message data").doesNotContain("250");
        }
        assertNothingDeliveredOrQueued(before);
        assertThat(gateway().process().logSince(logStart)).contains("possible SMTP smuggling");
    }

    @Test
    void aBareLfInsideTheBodyIsRefusedToo() throws Exception {
        long before = gateway().webAdmin().deliveredCount(VICTIM);
        try (RawConnection smtp = RawConnection.open(gateway().process(), GatewayProcess.Port.SMTP)) {
            openTransaction(smtp);
            smtp.send("Subject: unix line ends\n\nline one\nline two\r\n.\r\n");
            assertThat(smtp.readUntilClosed(CLOSE_WITHIN)).startsWith("500 5.5.2");
        }
        assertNothingDeliveredOrQueued(before);
    }

    @Test
    void commandsPipelinedBehindDataAreMessageTextAndMakeOneMessage() throws Exception {
        long before = gateway().webAdmin().deliveredCount(VICTIM);
        try (RawConnection smtp = RawConnection.open(gateway().process(), GatewayProcess.Port.SMTP)) {
            smtp.smtpReply();
            // DATA and what follows in one packet, without waiting for 354: everything after DATA is the message.
            smtp.send("EHLO attacker.example\r\nMAIL FROM:<a@sender.example>\r\nRCPT TO:<" + VICTIM + ">\r\nDATA\r\n"
                + "MAIL FROM:<ceo@" + GatewayProcess.DOMAIN + ">\r\nRCPT TO:<" + VICTIM + ">\r\nDATA\r\n"
                + "Subject: one message\r\n\r\nbody\r\n.\r\nQUIT\r\n");
            String replies = smtp.readUntilClosed(CLOSE_WITHIN);
            assertThat(count(replies, "(?m)^354 ")).isEqualTo(1);
            assertThat(count(replies, "(?m)^250 2\\.6\\.0")).isEqualTo(1);
            assertThat(replies).contains("221 2.0.0");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> gateway().webAdmin().deliveredCount(VICTIM) == before + 1);
        awaitMarkerDelivered();
        assertThat(gateway().webAdmin().deliveredCount(VICTIM)).as("the pipelined message and the marker").isEqualTo(before + 2);
    }

    @Test
    void twoProperlyPipelinedTransactionsMakeTwoMessagesAndDotStuffingIsUndone() throws Exception {
        long before = gateway().webAdmin().deliveredCount(VICTIM);
        String transaction = "MAIL FROM:<a@sender.example>\r\nRCPT TO:<" + VICTIM + ">\r\nDATA\r\n"
            + "Subject: pipelined\r\n\r\n..a line that starts with a dot\r\n.\r\n";
        try (RawConnection smtp = RawConnection.open(gateway().process(), GatewayProcess.Port.SMTP)) {
            smtp.smtpReply();
            smtp.send("EHLO sender.example\r\n" + transaction + transaction + "QUIT\r\n");
            assertThat(count(smtp.readUntilClosed(CLOSE_WITHIN), "(?m)^250 2\\.6\\.0")).isEqualTo(2);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> gateway().webAdmin().deliveredCount(VICTIM) == before + 2);
        assertThat(Mailboxes.inbox(gateway().process(), gateway().tls(), VICTIM, PASSWORD))
            .filteredOn(raw -> raw.contains("Subject: pipelined"))
            .allSatisfy(raw -> assertThat(raw).contains("\r\n.a line that starts with a dot\r\n"));
    }

    /**
     * The server reads a body in blocks of ordinary lines and frames every other line alone; whatever the reads, the
     * stored message must be the lines as sent, dot-stuffing undone, and the dot inside a line never taken for the end.
     */
    @Test
    void aBodyOfEveryKindOfLineSentInSmallPiecesIsStoredAsSent() throws Exception {
        long before = gateway().webAdmin().deliveredCount(VICTIM);
        String subject = "pieces " + java.util.UUID.randomUUID();
        Random random = new Random(20261205);
        StringBuilder sent = new StringBuilder();
        StringBuilder stored = new StringBuilder();
        for (int line = 0; line < 400; line++) {
            String text = switch (line % 7) {
                case 0 -> "";
                case 1 -> ".." + "dot-stuffed line " + line;
                case 2 -> "x".repeat(8_000 + line % 192);
                case 3 -> "a line with a dot . and .. inside " + line;
                default -> "ordinary line " + line + " " + "y".repeat(random.nextInt(70));
            };
            sent.append(text).append("\r\n");
            stored.append(text.startsWith("..") ? text.substring(1) : text).append("\r\n");
        }
        byte[] data = ("Subject: " + subject + "\r\n\r\n" + sent + ".\r\nQUIT\r\n")
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        try (RawConnection smtp = RawConnection.open(gateway().process(), GatewayProcess.Port.SMTP)) {
            openTransaction(smtp);
            for (int at = 0; at < data.length; ) {
                int length = Math.min(data.length - at, 1 + random.nextInt(random.nextBoolean() ? 8 : 20_000));
                smtp.send(java.util.Arrays.copyOfRange(data, at, at + length));
                at += length;
            }
            String replies = smtp.readUntilClosed(CLOSE_WITHIN);
            assertThat(count(replies, "(?m)^250 2\\.6\\.0")).as(replies).isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> gateway().webAdmin().deliveredCount(VICTIM) == before + 1);
        assertThat(Mailboxes.inbox(gateway().process(), gateway().tls(), VICTIM, PASSWORD))
            .filteredOn(raw -> raw.contains("Subject: " + subject + "\r\n"))
            .singleElement()
            .satisfies(raw -> assertThat(raw).endsWith("\r\n\r\n" + stored));
        assertThat(java.nio.file.Files.readString(gateway().process().log()))
            .as("the shipped listeners read bodies in blocks, so this test exercised them")
            .contains("message bodies read in blocks of lines");
    }

    @Test
    void overlongNulAndNonAsciiCommandsGetTheirReplyAndTheSessionGoesOn() throws Exception {
        try (RawConnection smtp = RawConnection.open(gateway().process(), GatewayProcess.Port.SMTP)) {
            smtp.smtpReply();
            assertThat(exchange(smtp, "EHLO client.example\r\n")).startsWith("250");
            assertThat(exchange(smtp, "MAIL FROM:<" + "a".repeat(20_000) + "@sender.example>\r\n"))
                .startsWith("500 Line length exceeded");
            assertThat(exchange(smtp, "MAIL FROM:<a\0b@sender.example>\r\n")).startsWith("501 5.1.7");
            assertThat(exchange(smtp, "MAIL FROM:<\u00e9t\u00e9@sender.example>\r\n")).startsWith("501 5.1.7");
            assertThat(exchange(smtp, "NO\0OP\r\n")).startsWith("500 5.5.1");
            assertThat(exchange(smtp, "\u00ff\u00fe\u0001\u0002\r\n")).startsWith("500 5.5.1");
            assertThat(exchange(smtp, "RCPT TO:<" + VICTIM + ">\r\n")).as("no sender yet").startsWith("503 5.5.");
            assertThat(exchange(smtp, "DATA\r\n")).startsWith("503 5.5.");
            assertThat(exchange(smtp, "MAIL FROM:<a@sender.example> SIZE=99999999999999999999\r\n")).startsWith("501");
            assertThat(exchange(smtp, "NOOP\r\n")).startsWith("250 2.0.0");
        }
    }

    @Test
    void thousandsOfRecipientsAreCutAtTheLimitAndOneMessageIsDelivered() throws Exception {
        long before = gateway().webAdmin().deliveredCount(VICTIM);
        try (RawConnection smtp = RawConnection.open(gateway().process(), GatewayProcess.Port.SMTP)) {
            smtp.smtpReply();
            StringBuilder burst = new StringBuilder("EHLO sender.example\r\nMAIL FROM:<a@sender.example>\r\n");
            for (int i = 0; i < 3_000; i++) {
                burst.append("RCPT TO:<").append(VICTIM).append(">\r\n");
            }
            burst.append("DATA\r\nSubject: many recipients\r\n\r\nbody\r\n.\r\nQUIT\r\n");
            smtp.send(burst.toString());
            String replies = smtp.readUntilClosed(Duration.ofSeconds(60));
            assertThat(count(replies, "(?m)^250 2\\.1\\.5")).isEqualTo(100);
            assertThat(count(replies, "(?m)^452 4\\.5\\.3")).isEqualTo(2_900);
            assertThat(count(replies, "(?m)^250 2\\.6\\.0")).isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> gateway().webAdmin().deliveredCount(VICTIM) == before + 1);
        gateway().webAdmin().awaitNothingQueuedOrParked();
        assertThat(gateway().webAdmin().deliveredCount(VICTIM)).as("the same recipient 100 times is one delivery").isEqualTo(before + 1);
    }

    @Test
    void unterminatedDataLeavesNothingBehind() throws Exception {
        long before = gateway().webAdmin().deliveredCount(VICTIM);
        try (RawConnection smtp = RawConnection.open(gateway().process(), GatewayProcess.Port.SMTP)) {
            openTransaction(smtp);
            smtp.send("Subject: never finished\r\n\r\n" + "half a message\r\n".repeat(10_000));
        }
        // The server must still serve, and the half message must be gone.
        try (SmtpSession normal = SmtpSession.connect(gateway().process(), GatewayProcess.Port.SMTP, gateway().tls())) {
            normal.ehlo("sender.example");
            assertThat(normal.send("a@sender.example", SmtpSession.message("a@sender.example", VICTIM, "after"), VICTIM)).startsWith("250");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> gateway().webAdmin().deliveredCount(VICTIM) == before + 1);
        gateway().webAdmin().awaitNothingQueuedOrParked();
        assertThat(Mailboxes.inbox(gateway().process(), gateway().tls(), VICTIM, PASSWORD)).noneMatch(raw -> raw.contains("never finished"));
    }

    @Test
    void hugeHeadersAreAcceptedWhole() throws Exception {
        long before = gateway().webAdmin().deliveredCount(VICTIM);
        StringBuilder manyHeaders = new StringBuilder("Subject: many headers\r\n");
        for (int i = 0; i < 20_000; i++) {
            manyHeaders.append("X-Filler-").append(i).append(": ").append("v".repeat(20)).append("\r\n");
        }
        String longHeader = "Subject: one long folded header\r\nX-Long: " + "word ".repeat(200_000).replace("word word ", "word\r\n word ") + "\r\n";
        for (String headers : new String[] {manyHeaders.toString(), longHeader}) {
            try (RawConnection smtp = RawConnection.open(gateway().process(), GatewayProcess.Port.SMTP)) {
                openTransaction(smtp);
                smtp.send(headers + "\r\nbody\r\n.\r\n");
                assertThat(smtp.smtpReply()).startsWith("250 2.6.0");
            }
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> gateway().webAdmin().deliveredCount(VICTIM) == before + 2);
        gateway().webAdmin().awaitNothingQueuedOrParked();
    }

    /**
     * James frames DATA in lines of at most 8192 bytes. A longer line of message data refuses the message whole and
     * ends the session: James alone dropped the line, answered {@code 500 Line length exceeded} in the middle of the
     * data, and stored the rest (docs/security.md).
     */
    @Test
    void anOverlongLineInsideDataRefusesTheMessageAndEndsTheSession() throws Exception {
        long before = gateway().webAdmin().deliveredCount(VICTIM);
        long logStart = gateway().process().logEnd();
        assertThat(repliesToData("Subject: one line of 20 KB\r\n\r\n" + "x".repeat(20_000) + "\r\nlast line\r\n.\r\n"))
            .startsWith("500 5.5.2 Line too long in message data").doesNotContain("250");
        assertNothingDeliveredOrQueued(before);
        assertThat(gateway().process().logSince(logStart)).contains("a line of its data was longer than the server reads");
    }

    /**
     * The framer cuts an over-long line at its first LF, bare or not, so the line never reached
     * {@link dev.gateway.smtphooks.RequireCrlfInData}: {@code <LF>.<CR><LF>} after it ended the message with a
     * {@code 250}, and the commands after it ran as a second transaction, a smuggled message from a forged sender.
     */
    @Test
    void anOverlongLineEndingInABareLineFeedSmugglesNothing() throws Exception {
        long before = gateway().webAdmin().deliveredCount(VICTIM);
        assertThat(repliesToData("Subject: legitimate\r\n\r\n" + "x".repeat(9_000) + "\n.\r\n"
                + "MAIL FROM:<ceo@" + GatewayProcess.DOMAIN + ">\r\nRCPT TO:<" + VICTIM + ">\r\nDATA\r\n"
                + "Subject: smuggled\r\n\r\nwire the money\r\n.\r\n"))
            .startsWith("500 5.5.2 Line too long in message data").doesNotContain("250");
        assertNothingDeliveredOrQueued(before);
    }

    @Test
    void malformedMimeIsAcceptedOrRefusedNeverStuckAndImapDescribesIt() throws Exception {
        String user = "mime@" + GatewayProcess.DOMAIN;
        gateway().process().addUser(user, PASSWORD);
        java.util.List<String> outcomes = new java.util.ArrayList<>();
        int accepted = 0;
        for (MalformedMime.Sample sample : MalformedMime.samples()) {
            try (RawConnection smtp = RawConnection.open(gateway().process(), GatewayProcess.Port.SMTP)) {
                smtp.smtpReply();
                smtp.send("EHLO sender.example\r\nMAIL FROM:<a@sender.example>\r\nRCPT TO:<" + user + ">\r\nDATA\r\n");
                smtp.readUntil(DATA_GO_AHEAD, Duration.ofSeconds(20));
                smtp.send(sample.message() + (sample.message().isEmpty() ? "" : "\r\n") + ".\r\n");
                String reply = smtp.smtpReply().trim();
                outcomes.add(sample.name() + " -> " + reply);
                assertThat(reply).as(sample.name()).matches("(250 2\\.6\\.0|5\\d\\d 5\\.\\d+\\.\\d+) .*");
                accepted += reply.startsWith("250") ? 1 : 0;
            }
        }
        int expected = accepted;
        await().atMost(Duration.ofSeconds(60)).until(() -> gateway().webAdmin().deliveredCount(user) == expected);
        // Nothing in the error repository (a mailet that threw), nothing still queued.
        gateway().webAdmin().awaitNothingQueuedOrParked();
        assertThat(gateway().webAdmin().get("/mailRepositories").findValuesAsText("repository")).contains("var/mail/error");
        assertThat(accepted).as("outcomes: %s", outcomes).isEqualTo(MalformedMime.samples().size());

        try (RawConnection imap = ImapSessions.loggedIn(gateway().process(), gateway().tls(), user, PASSWORD)) {
            imap.send("a2 SELECT INBOX\r\n");
            assertThat(imap.lineStartingWith("a2 ")).contains("a2 OK");
            imap.send("a3 FETCH 1:* (BODYSTRUCTURE ENVELOPE)\r\n");
            assertThat(imap.lineStartingWith("a3 ")).contains("a3 OK");
            imap.send("a4 FETCH 1:* (BODY.PEEK[" + "1.".repeat(400) + "1])\r\n");
            assertThat(imap.lineStartingWith("a4 ")).matches("(?s).*a4 (OK|NO|BAD).*");
            imap.send("a5 NOOP\r\n");
            assertThat(imap.lineStartingWith("a5 ")).contains("a5 OK");
        }
    }

    @Test
    void garbageAuthGetsASyntaxErrorAndARealLoginStillWorks() throws Exception {
        try (RawConnection smtp = RawConnection.openTls(gateway().process(), GatewayProcess.Port.SMTPS, gateway().tls())) {
            smtp.smtpReply();
            assertThat(exchange(smtp, "EHLO client.example\r\n")).contains("AUTH");
            assertThat(exchange(smtp, "AUTH PLAIN !!!not*base64!!!\r\n")).startsWith("501");
            assertThat(exchange(smtp, "AUTH PLAIN " + "A".repeat(5_000) + "\r\n")).startsWith("501");
            assertThat(exchange(smtp, "AUTH PLAIN AAAA\r\n")).as("decodes to three NULs").startsWith("501");
            assertThat(exchange(smtp, "AUTH CRAM-MD5\r\n")).startsWith("504 5.5.4");
            assertThat(exchange(smtp, "AUTH\r\n")).startsWith("501");
            String token = java.util.Base64.getEncoder().encodeToString(("\0" + VICTIM + "\0" + PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(exchange(smtp, "AUTH PLAIN " + token + "\r\n")).startsWith("235");
        }
    }

    /** Greeting, EHLO, MAIL, RCPT and DATA, up to the server's 354. */
    private void openTransaction(RawConnection smtp) throws Exception {
        smtp.smtpReply();
        smtp.send("EHLO attacker.example\r\nMAIL FROM:<a@sender.example>\r\nRCPT TO:<" + VICTIM + ">\r\nDATA\r\n");
        smtp.readUntil(DATA_GO_AHEAD, Duration.ofSeconds(20));
    }

    /** Sends {@code data} after the server's 354, then QUIT; every reply until the server closes. */
    private String repliesToData(String data) throws Exception {
        try (RawConnection smtp = RawConnection.open(gateway().process(), GatewayProcess.Port.SMTP)) {
            openTransaction(smtp);
            smtp.send(data);
            trySend(smtp, "QUIT\r\n");
            return smtp.readUntilClosed(CLOSE_WITHIN);
        }
    }

    private String exchange(RawConnection connection, String command) throws Exception {
        connection.send(command);
        return connection.smtpReply();
    }

    /** Sends, ignoring a server that has hung up already. */
    private void trySend(RawConnection connection, String bytes) {
        try {
            connection.send(bytes);
        } catch (java.io.IOException closed) {
            // The refusal may have closed the connection before these bytes left.
        }
    }

    private void assertNothingDeliveredOrQueued(long deliveredBefore) throws Exception {
        awaitMarkerDelivered();
        assertThat(gateway().webAdmin().deliveredCount(VICTIM)).as("messages delivered besides the marker").isEqualTo(deliveredBefore + 1);
    }

    /**
     * Sends a well-formed message after the test's own session has ended and waits until it is in the INBOX and
     * nothing is queued or parked: whatever that session got queued was queued before the marker, so it has been
     * delivered (or parked) by then, and the counts the test reads next are final.
     */
    private void awaitMarkerDelivered() throws Exception {
        String subject = "marker " + java.util.UUID.randomUUID();
        try (SmtpSession smtp = SmtpSession.connect(gateway().process(), GatewayProcess.Port.SMTP, gateway().tls())) {
            smtp.ehlo("sender.example");
            assertThat(smtp.send("marker@sender.example", SmtpSession.message("marker@sender.example", VICTIM, subject), VICTIM))
                .startsWith("250");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> Mailboxes.inbox(gateway().process(), gateway().tls(), VICTIM, PASSWORD)
            .stream().anyMatch(raw -> raw.contains("Subject: " + subject + "\r\n")));
        gateway().webAdmin().awaitNothingQueuedOrParked();
    }

    private int count(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        int found = 0;
        while (matcher.find()) {
            found++;
        }
        return found;
    }
}
