package dev.gateway.routing;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import javax.mail.Header;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.Mail;

import com.google.common.net.InetAddresses;

import dev.gateway.api.SpamAttributes;

/** Builds {@link MessageFacts} from a received mail, the same way for the SMTP hook and the mailets. */
public final class MailFacts {

    /** Set by the SpamFilter SMTP hook. */
    static final AttributeName SPAM_SCORE = AttributeName.of(SpamAttributes.SCORE);

    private MailFacts() {
    }

    /** Facts of an accepted mail: authentication and client address as James recorded them on the mail. */
    public static MessageFacts of(Mail mail) throws MessagingException {
        return of(mail, mail.getAttribute(Mail.SMTP_AUTH_USER).isPresent(), address(mail.getRemoteAddr()));
    }

    /** Facts of a mail whose session details the caller knows better (the SMTP hook at the end of DATA). */
    public static MessageFacts of(Mail mail, boolean authenticated, Optional<InetAddress> source) throws MessagingException {
        Optional<Double> spamScore = AttributeUtils.getValueAndCastFromMail(mail, SPAM_SCORE, Double.class);
        return new MessageFacts(mail.getMaybeSender(), authenticated, source,
            Optional.of(new MessageFacts.Content(headers(mail.getMessage()), mail.getMessageSize(), spamScore,
                authentication(mail))));
    }

    static Map<AuthenticationMethod, String> authentication(Mail mail) {
        Map<AuthenticationMethod, String> results = new EnumMap<>(AuthenticationMethod.class);
        for (AuthenticationMethod method : AuthenticationMethod.values()) {
            AttributeUtils.getValueAndCastFromMail(mail, method.attribute(), String.class)
                .ifPresent(result -> results.put(method, result.toLowerCase(Locale.ROOT)));
        }
        return results;
    }

    static Map<String, List<String>> headers(MimeMessage message) throws MessagingException {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (Header header : Collections.list(message.getAllHeaders())) {
            headers.computeIfAbsent(header.getName().toLowerCase(Locale.ROOT), name -> new ArrayList<>()).add(header.getValue().trim());
        }
        return headers;
    }

    static Optional<InetAddress> address(String text) {
        return Optional.ofNullable(text).map(String::trim).filter(InetAddresses::isInetAddress).map(InetAddresses::forString);
    }
}
