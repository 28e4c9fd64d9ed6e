package dev.gateway.authentication;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Properties;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageInputStream;
import org.apache.james.server.core.MimeMessageInputStreamSource;
import org.apache.mailet.Mail;

/** A mail's message as bytes, and replacing it with other bytes, without JavaMail re-encoding anything. */
final class MessageBytes {

    private MessageBytes() {
    }

    static byte[] read(Mail mail) throws MessagingException, IOException {
        try (InputStream in = new MimeMessageInputStream(mail.getMessage())) {
            return in.readAllBytes();
        }
    }

    static void replace(Mail mail, byte[] message) throws MessagingException, IOException {
        MimeMessageInputStreamSource source = MimeMessageInputStreamSource.create(mail.getName() + "-auth");
        try (OutputStream out = source.getWritableOutputStream()) {
            out.write(message);
        }
        if (mail instanceof MailImpl impl) {
            impl.setMessageContent(source);
            return;
        }
        try (InputStream in = source.getInputStream()) {
            mail.setMessage(new MimeMessage(javax.mail.Session.getInstance(new Properties()), in));
        } finally {
            source.dispose();
        }
    }
}
