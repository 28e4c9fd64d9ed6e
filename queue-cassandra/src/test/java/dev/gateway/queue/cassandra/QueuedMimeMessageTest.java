package dev.gateway.queue.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import javax.mail.internet.MimeMessage;

import org.apache.james.server.core.MimeMessageInputStream;
import org.apache.james.server.core.MimeMessageSource;
import org.apache.james.server.core.MimeMessageWrapper;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A dequeued message reads exactly as James's own wrapper over the same bytes, whatever was changed in it: the bytes
 * local delivery stores and the size it records are James's, only found without parsing the queued headers again.
 */
class QueuedMimeMessageTest {

    /** A change a mailet may make to a dequeued message. */
    @FunctionalInterface
    interface Change {
        void apply(MimeMessage message) throws Exception;
    }

    static Stream<Arguments> cases() {
        // Each has its own Date and Message-ID: writing a changed message saves it, which adds them where missing,
        // and the two copies' would differ.
        String dated = "Date: Mon, 7 Dec 2026 23:00:00 +0000\r\nMessage-ID: <1@example.com>\r\n";
        String simple = dated + "From: sender@example.com\r\nTo: rcpt@example.com\r\nSubject: hello\r\n\r\n"
            + "body line 1\r\nbody line 2\r\n";
        String folded = "Received: from client.example.com (client [127.0.0.1])\r\n\tby gateway.example.com\r\n"
            + "\twith ESMTP id 42; Mon, 7 Dec 2026 23:00:00 +0000\r\nReturn-Path: <old@example.com>\r\n" + dated
            + "Subject: =?UTF-8?Q?caf=C3=A9?=\r\nContent-Type: text/plain\r\n\r\n" + "x".repeat(200_000) + "\r\n";
        String bareLineFeeds = dated.replace("\r\n", "\n")
            + "From: sender@example.com\nSubject: bare line feeds\n\nbody\nmore\n";
        String headersOnly = dated + "From: sender@example.com\r\nSubject: no body\r\n";
        String emptyBody = dated + "From: sender@example.com\r\nSubject: empty body\r\n\r\n";
        Change nothing = message -> { };
        Change returnPath = message -> message.setHeader("Return-Path", "<sender@example.com>");
        Change asLocalDelivery = message -> {
            message.setHeader("Return-Path", "<sender@example.com>");
            message.addHeader("Delivered-To", "rcpt@example.com");
        };
        Change removed = message -> message.removeHeader("Subject");
        Change headersReadOnly = message -> message.getHeader("Subject");
        Change contentOnlyLoaded = message -> message.getContent();
        Change contentLoaded = message -> {
            message.getContent();
            message.addHeader("X-After-Load", "yes");
        };
        Change body = message -> {
            message.setText("a new body\r\n");
            message.saveChanges();
        };
        Stream.Builder<Arguments> cases = Stream.builder();
        for (Named<String> message : new Named[] {Named.of("simple", simple), Named.of("folded, 200 KB", folded),
            Named.of("bare line feeds", bareLineFeeds), Named.of("headers only", headersOnly),
            Named.of("empty body", emptyBody)}) {
            cases.add(Arguments.of(message, Named.of("nothing changed", nothing)));
            cases.add(Arguments.of(message, Named.of("Return-Path set", returnPath)));
            cases.add(Arguments.of(message, Named.of("as local delivery", asLocalDelivery)));
            cases.add(Arguments.of(message, Named.of("a header removed", removed)));
            cases.add(Arguments.of(message, Named.of("headers read, not changed", headersReadOnly)));
            cases.add(Arguments.of(message, Named.of("content loaded, nothing changed", contentOnlyLoaded)));
            cases.add(Arguments.of(message, Named.of("content loaded, then a header added", contentLoaded)));
            cases.add(Arguments.of(message, Named.of("body replaced", body)));
        }
        return cases.build();
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("cases")
    void readsAsJamesWrapperReads(String text, Change change) throws Exception {
        byte[] content = text.getBytes(StandardCharsets.UTF_8);
        MimeMessageWrapper james = new MimeMessageWrapper(source(content));
        MimeMessageWrapper queued = new QueuedMimeMessage(source(content));
        change.apply(james);
        change.apply(queued);

        byte[] expected = read(james.getMessageInputStream());
        assertThat(read(queued.getMessageInputStream())).as("the bytes").isEqualTo(expected);
        assertThat(read(queued.getMessageInputStream())).as("the bytes, read again").isEqualTo(expected);
        assertThat(read(new MimeMessageInputStream(queued))).as("the bytes as local delivery reads them")
            .isEqualTo(expected);
        assertThat(queued.getMessageSize()).as("the size").isEqualTo(james.getMessageSize());
        assertThat(written(queued)).as("the bytes written").isEqualTo(written(james));
        assertThat(content).as("the queued bytes themselves").isEqualTo(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The queue's own source over the bytes read from a row. */
    private static MimeMessageSource source(byte[] content) {
        return new MailCodec.BytesSource("test", content);
    }

    private static byte[] read(InputStream in) throws Exception {
        try (in) {
            return in.readAllBytes();
        }
    }

    private static byte[] written(MimeMessage message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }
}
