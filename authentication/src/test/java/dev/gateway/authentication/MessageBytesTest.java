package dev.gateway.authentication;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import javax.mail.internet.MimeMessage;

import org.apache.james.server.core.MailImpl;
import org.junit.jupiter.api.Test;

/**
 * A message rewritten by the authentication check or by DKIM signing (a field prepended) replaces the mail's message
 * from the bytes in hand. Before, the bytes went through James's buffer, which writes a message above its memory threshold (100 KB in
 * this JVM, James's default) to a temporary file named after the mail and reads it back.
 */
class MessageBytesTest {

    @Test
    void aLargeRewrittenMessageIsKeptInMemoryAndStillTakesChanges() throws Exception {
        String name = "rewrite-" + UUID.randomUUID();
        MailImpl mail = MailImpl.builder().name(name).sender("sender@example.com").addRecipient("rcpt@example.com")
            .build();
        byte[] rewritten = message(200 * 1024);

        MessageBytes.replace(mail, rewritten);

        assertThat(MessageBytes.read(mail)).isEqualTo(rewritten);
        assertThat(mail.getMessageSize()).isEqualTo(rewritten.length);
        assertThat(temporaryFilesOf(name)).isEmpty();

        MimeMessage message = mail.getMessage();
        message.addHeader("X-Added", "after the rewrite");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        String written = out.toString(StandardCharsets.US_ASCII);
        String original = new String(rewritten, StandardCharsets.US_ASCII);
        assertThat(written).contains("X-Added: after the rewrite\r\n")
            .endsWith(original.substring(original.indexOf("\r\n\r\n")));
        mail.dispose();
    }

    private static List<Path> temporaryFilesOf(String name) throws Exception {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(file -> file.getFileName().toString().startsWith("mimemessage-" + name)).toList();
        }
    }

    private static byte[] message(int atLeast) {
        StringBuilder text = new StringBuilder("Authentication-Results: mx.example.com; dkim=none\r\n"
            + "From: sender@example.com\r\nTo: rcpt@example.com\r\nSubject: large\r\n\r\n");
        for (int line = 0; text.length() < atLeast; line++) {
            text.append("line ").append(line).append(" of the body\r\n");
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
