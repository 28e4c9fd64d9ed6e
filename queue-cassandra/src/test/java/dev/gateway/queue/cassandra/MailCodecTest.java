package dev.gateway.queue.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageWrapper;
import org.apache.mailet.Mail;
import org.junit.jupiter.api.Test;

/**
 * A mail read back from a queue row keeps the bytes of the row as its message: no second copy, and so nothing the
 * queue's reader must dispose. James's {@code MailImpl.setMessage} copied every dequeued and every browsed message
 * into a buffer of its own (a temporary file above the memory threshold); a browse never disposed it, and
 * {@code CassandraMailQueueIT} logged "Leak detected!" 224 times a run.
 */
class MailCodecTest {

    private final MailCodec codec = new MailCodec();

    @Test
    void aLargeMessageIsServedFromTheRowsBytesAndStillTakesChanges() throws Exception {
        byte[] content = message(200 * 1024);
        MailImpl queued = MailImpl.builder().name("large-1").sender("sender@example.com")
            .addRecipient("rcpt@example.com").build();

        Mail mail = codec.mail(codec.metadata(queued), content);

        MimeMessage message = mail.getMessage();
        // The copy James makes is named "MailCopy-<uuid>"; the row's bytes are named after the mail.
        assertThat(((MimeMessageWrapper) message).getSourceId()).isEqualTo("queue:large-1");
        assertThat(mail.getMessageSize()).isEqualTo(content.length);
        assertThat(bytes(message)).isEqualTo(content);
        assertThat(mail.getRecipients()).isEqualTo(List.of(new MailAddress("rcpt@example.com")));

        message.addHeader("X-Added", "after dequeue");
        String written = new String(bytes(message), StandardCharsets.US_ASCII);
        String original = new String(content, StandardCharsets.US_ASCII);
        assertThat(written).contains("X-Added: after dequeue\r\n")
            .endsWith(original.substring(original.indexOf("\r\n\r\n")));
        // The header went into the wrapper's own copy of the headers, not into the row's bytes it reads from.
        assertThat(content).isEqualTo(message(200 * 1024));
    }

    private static byte[] message(int atLeast) {
        StringBuilder text = new StringBuilder("From: sender@example.com\r\nTo: rcpt@example.com\r\n"
            + "Subject: large\r\nMessage-ID: <large-1@example.com>\r\n\r\n");
        for (int line = 0; text.length() < atLeast; line++) {
            text.append("line ").append(line).append(" of the body\r\n");
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] bytes(MimeMessage message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }
}
