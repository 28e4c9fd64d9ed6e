package dev.gateway.queue.memory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;
import javax.mail.util.SharedByteArrayInputStream;

import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageSource;
import org.apache.mailet.Mail;

/**
 * A queued mail, frozen: its envelope and the message's bytes, written once at enqueue. Every {@link #toMail()}
 * builds a new {@link Mail} whose message reads those bytes in place (headers are parsed on first use, the body is
 * never copied), so whatever a mailet changes stays with that one delivery attempt and the queue keeps the mail as it
 * was enqueued.
 *
 * <p>James's memory queue makes three full copies of the message per enqueue (a {@code MimeMessageWrapper} copy, a
 * {@code MimeMessage} copy, and a second wrapper copy); this one makes one, sized from the message's known size.
 */
final class MailSnapshot {

    /** Above this much unused room in the write buffer, the bytes are trimmed to size (one more copy). */
    private static final double TRIM_ABOVE_SLACK = 0.25;

    private final Mail envelope;
    private final byte[] content;
    private final int length;

    private MailSnapshot(Mail envelope, byte[] content, int length) {
        this.envelope = envelope;
        this.content = content;
        this.length = length;
    }

    static MailSnapshot of(Mail mail) throws MessagingException {
        MailImpl envelope = envelopeOf(mail);
        MimeMessage message = mail.getMessage();
        if (message == null) {
            return new MailSnapshot(envelope, null, 0);
        }
        SizedBuffer buffer = new SizedBuffer(expectedSize(mail));
        try {
            message.writeTo(buffer);
        } catch (IOException e) {
            throw new MessagingException("Could not copy the message of mail " + mail.getName(), e);
        }
        return new MailSnapshot(envelope, buffer.bytes(), buffer.size());
    }

    /** A new mail, independent of every other one built from this snapshot. */
    Mail toMail() throws MessagingException {
        MailImpl mail = envelopeOf(envelope);
        if (content != null) {
            mail.setMessageContent(new Source());
        }
        return mail;
    }

    String name() {
        return envelope.getName();
    }

    /** The envelope alone: cheap, for matching (remove by sender, recipient, name) without building a message. */
    Mail envelope() {
        return envelope;
    }

    private static MailImpl envelopeOf(Mail mail) throws MessagingException {
        MailImpl copy = MailImpl.duplicateWithoutMessage(mail).build();
        // duplicateWithoutMessage derives a new name and starts in the root state; the queue keeps both.
        copy.setName(mail.getName());
        copy.setState(mail.getState());
        return copy;
    }

    private static int expectedSize(Mail mail) {
        try {
            long size = mail.getMessageSize();
            // A little room for headers a modified message may write beyond its estimate.
            return (int) Math.min(Integer.MAX_VALUE - 16, Math.max(size, 0) + 256);
        } catch (MessagingException e) {
            return 8192;
        }
    }

    /** Lets the bytes written be kept without the copy {@link ByteArrayOutputStream#toByteArray()} makes. */
    private static final class SizedBuffer extends ByteArrayOutputStream {

        SizedBuffer(int expected) {
            super(expected);
        }

        byte[] bytes() {
            if (buf.length - count > buf.length * TRIM_ABOVE_SLACK) {
                return Arrays.copyOf(buf, count);
            }
            return buf;
        }
    }

    private final class Source implements MimeMessageSource {

        @Override
        public String getSourceId() {
            // Unique while the snapshot lives, and computed only if asked: nothing on the mail path asks.
            return "heap-queue:" + envelope.getName() + "@" + Integer.toHexString(System.identityHashCode(content));
        }

        @Override
        public InputStream getInputStream() {
            // Shared: javax.mail parses the body as a window on these bytes rather than a copy of them.
            return new SharedByteArrayInputStream(content, 0, length);
        }

        @Override
        public long getMessageSize() {
            return length;
        }
    }
}
