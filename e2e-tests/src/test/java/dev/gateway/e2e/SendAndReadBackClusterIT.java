package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.apache.james.backends.cassandra.components.CassandraModule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;

import dev.gateway.queue.cassandra.CassandraExtension;
import dev.gateway.testkit.GatewayProcess;
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
        Session mx = Session.getInstance(smtpProperties(GatewayProcess.Port.SMTP, false));
        try (Transport transport = mx.getTransport("smtp")) {
            transport.connect("127.0.0.1", gateway.port(GatewayProcess.Port.SMTP), null, null);
            transport.sendMessage(new MimeMessage(mx, new ByteArrayInputStream(sent)),
                new Address[] {new InternetAddress(CAROL)});
        }

        byte[] read = await().atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(IOException.class)
            .until(() -> readAll(Reader.IMAPS, CAROL, CAROL_PASSWORD), messages -> messages.size() == 1).get(0);
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
