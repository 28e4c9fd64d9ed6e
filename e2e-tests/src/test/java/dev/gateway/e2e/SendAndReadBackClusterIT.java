package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.james.backends.cassandra.components.CassandraModule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.data.UdtValue;

import dev.gateway.queue.cassandra.CassandraExtension;
import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.RawConnection;
import jakarta.mail.Address;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/** The foundation's end-to-end tests again, on the cluster profile: mailboxes, users and queues in Cassandra. */
class SendAndReadBackClusterIT extends SendAndReadBackIT {

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    private static final String KEYSPACE = "send_and_read_back";
    private static final String CAROL = "carol@" + GatewayProcess.DOMAIN;
    private static final String CAROL_PASSWORD = "carol's large secret";
    private static final String ERIN = "erin@" + GatewayProcess.DOMAIN;
    private static final String ERIN_PASSWORD = "erin's attached secret";

    @Override
    Map<String, String> gatewayEnvironment() {
        return ClusterProfile.environment(CASSANDRA.server(), KEYSPACE);
    }

    /**
     * A message over the queue's {@code inline.bytes} (16 KiB) reads back byte for byte over IMAP, and its body is
     * stored once: the queue keeps it in the mailboxes' blob store, and the mailbox's message names that blob, which
     * delivery did not write again. Its write time is before the one of the mailbox's header blob: the queue wrote it
     * at enqueue, before the spool ran. Had the mailbox written it (the message is under 32 KiB, so header, body and
     * message row go in one batch), both would have the same write time.
     */
    @Test
    void aLargeMessageIsStoredOnceAndReadsBackByteForByte() throws Exception {
        gateway.addUser(CAROL, CAROL_PASSWORD);
        byte[] sent = largeMessage(20 * 1024);
        byte[] read = deliverAndReadBack(sent, CAROL, CAROL_PASSWORD);
        assertThat(endsWith(read, sent)).as("read back ending with the exact bytes sent").isTrue();

        try (CqlSession cassandra = CASSANDRA.server().session(KEYSPACE, CassandraModule.EMPTY_MODULE)) {
            Row message = cassandra.execute("SELECT headerContent, bodyContent, fullContentOctets FROM messageV3").all()
                .stream()
                .filter(row -> row.getLong("fullContentOctets") == read.length)
                .findFirst().orElseThrow();
            long headerWritten = writeTime(cassandra, message.getString("headerContent"));
            long bodyWritten = writeTime(cassandra, message.getString("bodyContent"));
            assertThat(bodyWritten).as("the body's write time, before the mailbox's header's")
                .isLessThan(headerWritten);
        }
    }

    /**
     * A message carrying a file is stored once, whole. The file stays base64 inside the message's body blob: no row in
     * {@code attachmentV2} and no blob of its decoded bytes, which James writes for JMAP and nothing here reads. IMAP
     * still finds the file by parsing the message: its BODYSTRUCTURE names it, and its part reads back as the bytes
     * attached.
     */
    @Test
    void aMessageWithAnAttachedFileIsStoredOnceAndItsFileReadsBackOverImap() throws Exception {
        gateway.addUser(ERIN, ERIN_PASSWORD);
        byte[] file = new byte[60 * 1024];
        new Random(20261206).nextBytes(file);
        byte[] sent = messageWithFile("report.pdf", file);
        long attachmentRowsBefore;
        try (CqlSession cassandra = CASSANDRA.server().session(KEYSPACE, CassandraModule.EMPTY_MODULE)) {
            attachmentRowsBefore = cassandra.execute("SELECT COUNT(*) FROM attachmentV2").one().getLong(0);
        }
        // Once the message reads back, its append is complete, attachments included.
        byte[] read = deliverAndReadBack(sent, ERIN, ERIN_PASSWORD);
        assertThat(endsWith(read, sent)).as("read back ending with the exact bytes sent").isTrue();

        try (RawConnection imap = RawConnection.openTls(gateway, GatewayProcess.Port.IMAPS, tls)) {
            imap.lineStartingWith("* OK");
            imap.send("a1 LOGIN " + ERIN + " \"" + ERIN_PASSWORD + "\"\r\na2 EXAMINE INBOX\r\n"
                + "a3 FETCH 1 (BODYSTRUCTURE BODY.PEEK[2])\r\na4 LOGOUT\r\n");
            String replies = imap.readUntil(Pattern.compile("(?m)^a4 [^\r\n]*\r\n"), Duration.ofSeconds(30));
            assertThat(replies).contains("a3 OK");
            // The part is found by parsing the message: its disposition in BODYSTRUCTURE, its bytes as BODY[2].
            assertThat(replies).containsPattern("(?i)\\(\"attachment\" \\(\"filename\" \"report\\.pdf\"\\)\\)");
            Matcher literal = Pattern.compile("BODY\\[2\\] \\{(\\d+)\\}\r\n").matcher(replies);
            assertThat(literal.find()).as("a BODY[2] literal in %s", replies.substring(0, Math.min(600, replies.length()))).isTrue();
            String part = replies.substring(literal.end(), literal.end() + Integer.parseInt(literal.group(1)));
            assertThat(Base64.getMimeDecoder().decode(part)).isEqualTo(file);
        }

        try (CqlSession cassandra = CASSANDRA.server().session(KEYSPACE, CassandraModule.EMPTY_MODULE)) {
            Row message = cassandra.execute("SELECT attachments, fullContentOctets FROM messageV3").all().stream()
                .filter(row -> row.getLong("fullContentOctets") == read.length)
                .findFirst().orElseThrow();
            assertThat(message.getList("attachments", UdtValue.class)).as("the message row's attachments").isEmpty();
            assertThat(cassandra.execute("SELECT COUNT(*) FROM attachmentV2").one().getLong(0))
                .as("rows in attachmentV2").isEqualTo(attachmentRowsBefore);
        }
    }

    /** Sends {@code message} to {@code user} through the MX port; gives it as read back, the one in their INBOX. */
    private byte[] deliverAndReadBack(byte[] message, String user, String password) throws Exception {
        Session mx = Session.getInstance(smtpProperties(GatewayProcess.Port.SMTP, false));
        try (Transport transport = mx.getTransport("smtp")) {
            transport.connect("127.0.0.1", gateway.port(GatewayProcess.Port.SMTP), null, null);
            transport.sendMessage(new MimeMessage(mx, new ByteArrayInputStream(message)),
                new Address[] {new InternetAddress(user)});
        }
        return await().atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(IOException.class)
            .until(() -> readAll(Reader.IMAPS, user, password), messages -> messages.size() == 1).get(0);
    }

    private static byte[] messageWithFile(String name, byte[] file) {
        String id = UUID.randomUUID().toString();
        return String.join("\r\n",
            "From: dave@remote.example",
            "To: " + ERIN,
            "Subject: The report, attached",
            "Message-ID: <" + id + "@client.example>",
            "Date: Sun, 06 Dec 2026 18:00:00 +0000",
            "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=\"b-" + id + "\"",
            "",
            "--b-" + id,
            "Content-Type: text/plain; charset=US-ASCII",
            "",
            "The report is attached.",
            "--b-" + id,
            "Content-Type: application/pdf; name=\"" + name + "\"",
            "Content-Disposition: attachment; filename=\"" + name + "\"",
            "Content-Transfer-Encoding: base64",
            "",
            Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(file),
            "--b-" + id + "--",
            "").getBytes(StandardCharsets.US_ASCII);
    }

    /** When Cassandra wrote a blob's first chunk, in microseconds. */
    private static long writeTime(CqlSession cassandra, String blobId) {
        return cassandra.execute("SELECT writetime(data) FROM gateway_blobs WHERE bucket = 'default' AND id = ?"
            + " AND chunk = 0", blobId).one().getLong(0);
    }

    private static byte[] largeMessage(int bodySize) {
        String id = UUID.randomUUID().toString();
        StringBuilder text = new StringBuilder(String.join("\r\n",
            "From: dave@remote.example",
            "To: " + CAROL,
            "Subject: One copy of a large message",
            "Message-ID: <" + id + "@client.example>",
            "Date: Mon, 23 Nov 2026 10:00:00 +0000",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=US-ASCII",
            "",
            ""));
        for (int line = 0; text.length() < bodySize; line++) {
            text.append(String.format("%08d a line of a message larger than a queue row holds\r\n", line));
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
