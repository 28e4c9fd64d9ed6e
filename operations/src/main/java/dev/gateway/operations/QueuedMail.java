package dev.gateway.operations;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.mail.Header;
import javax.mail.MessagingException;
import javax.mail.internet.MailDateFormat;
import javax.mail.internet.MimeMessage;

import org.apache.mailet.AttributeName;
import org.apache.mailet.Mail;

/**
 * One mail as an operator sees it, in a queue or held: what {@code bin/gateway queue list} prints per line, and
 * with {@link #details()} what {@code queue show} prints.
 *
 * <p>Arrival is the date of the topmost {@code Received} header (the one this gateway wrote when it accepted the
 * mail); without one, the mail's last update. Attempts are RemoteDelivery's retry counter. James records no reason
 * for a temporary failure on the mail itself, so the last error is the mail's error message only when a mailet set
 * one; the log has the rest ({@code docs/operations.md}).</p>
 */
public final class QueuedMail {

    /** RemoteDelivery's retry counter (DeliveryRetriesHelper in James 3.8.1). */
    static final AttributeName ATTEMPTS = AttributeName.of("delivery_retry_count");

    private final String queue;
    private final boolean held;
    private final Mail mail;
    private final Optional<Instant> nextAttempt;
    private final Instant arrived;

    QueuedMail(String queue, boolean held, Mail mail, Optional<Instant> nextAttempt) {
        this.queue = queue;
        this.held = held;
        this.mail = mail;
        this.nextAttempt = nextAttempt;
        this.arrived = arrival(mail);
    }

    public Mail mail() {
        return mail;
    }

    public String queue() {
        return queue;
    }

    public Instant arrived() {
        return arrived;
    }

    public Optional<Instant> nextAttempt() {
        return nextAttempt;
    }

    /** The line of a listing; keys as the admin CLI reads them. */
    public Map<String, Object> summary(Instant now) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("id", mail.getName());
        line.put("queue", queue);
        line.put("held", held);
        line.put("arrived", arrived.toString());
        line.put("ageSeconds", Math.max(0, Duration.between(arrived, now).toSeconds()));
        line.put("size", size());
        line.put("sender", mail.getMaybeSender().asString());
        line.put("recipients", mail.getRecipients().stream().map(address -> address.asString()).toList());
        line.put("attempts", attempts());
        line.put("lastAttempt", attempts() > 0 && mail.getLastUpdated() != null ? mail.getLastUpdated().toInstant().toString() : null);
        line.put("lastError", mail.getErrorMessage());
        line.put("nextAttempt", held ? null : nextAttempt.map(Instant::toString).orElse(null));
        return line;
    }

    /** The summary plus the envelope's remaining fields, the attributes and every header, in order. */
    public Map<String, Object> details(Instant now) {
        Map<String, Object> details = summary(now);
        details.put("state", mail.getState());
        details.put("remoteHost", mail.getRemoteHost());
        details.put("remoteAddress", mail.getRemoteAddr());
        Map<String, String> attributes = new LinkedHashMap<>();
        mail.attributes().forEach(attribute -> attributes.put(attribute.getName().asString(),
            String.valueOf(attribute.getValue().value())));
        details.put("attributes", attributes);
        List<List<String>> headers = new ArrayList<>();
        try {
            MimeMessage message = mail.getMessage();
            if (message != null) {
                for (Header header : Collections.list(message.getAllHeaders())) {
                    headers.add(List.of(header.getName(), header.getValue()));
                }
            }
        } catch (MessagingException e) {
            details.put("headersError", e.getMessage());
        }
        details.put("headers", headers);
        return details;
    }

    int attempts() {
        return mail.getAttribute(ATTEMPTS)
            .map(attribute -> attribute.getValue().value())
            .filter(Integer.class::isInstance).map(Integer.class::cast)
            .orElse(0);
    }

    private long size() {
        try {
            return mail.getMessageSize();
        } catch (MessagingException e) {
            return -1;
        }
    }

    private static Instant arrival(Mail mail) {
        Instant updated = mail.getLastUpdated() == null ? Instant.EPOCH : mail.getLastUpdated().toInstant();
        try {
            MimeMessage message = mail.getMessage();
            String[] received = message == null ? null : message.getHeader("Received");
            if (received == null || received.length == 0) {
                return updated;
            }
            String top = received[0];
            int semicolon = top.lastIndexOf(';');
            if (semicolon < 0) {
                return updated;
            }
            return new MailDateFormat().parse(top.substring(semicolon + 1).trim()).toInstant();
        } catch (MessagingException | ParseException e) {
            return updated;
        }
    }
}
