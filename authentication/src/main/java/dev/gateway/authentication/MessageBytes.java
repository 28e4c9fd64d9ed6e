package dev.gateway.authentication;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageInputStream;
import org.apache.james.server.core.MimeMessageSource;
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

    /**
     * The new bytes become the message as they are. They are already in memory (the whole message was read to be
     * checked or signed), so copying them into James's buffer would only cost a copy, and write a message above
     * {@code james.message.memory.threshold} (512 KB as bin/gateway sets it) to a temporary file and read it back.
     */
    static void replace(Mail mail, byte[] message) throws MessagingException {
        if (mail instanceof MailImpl impl) {
            impl.setMessageContent(new Rewritten(mail.getName(), message));
            return;
        }
        mail.setMessage(new MimeMessage(javax.mail.Session.getInstance(new Properties()), new ByteArrayInputStream(message)));
    }

    private record Rewritten(String name, byte[] message) implements MimeMessageSource {
        @Override
        public String getSourceId() {
            return name + "-rewritten";
        }

        @Override
        public InputStream getInputStream() {
            return new ByteArrayInputStream(message);
        }

        @Override
        public long getMessageSize() {
            return message.length;
        }
    }
}
