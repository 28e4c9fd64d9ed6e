package dev.gateway.sieve;

import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import javax.mail.Address;
import javax.mail.MessagingException;
import javax.mail.internet.AddressException;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;

/**
 * When a vacation reply must not be sent (RFC 5230 section 4.5, RFC 3834 section 2): the loop and list rules that
 * James's own vacation action leaves out. The once-per-period rule is {@link RateLimitedVacation}'s.
 */
final class VacationRules {

    private static final Set<String> DAEMON_LOCAL_PARTS = Set.of("mailer-daemon", "listserv", "majordomo");
    private static final Set<String> BULK_PRECEDENCE = Set.of("bulk", "list", "junk");
    private static final String[] ADDRESSED_HEADERS = {"To", "Cc", "Bcc", "Resent-To", "Resent-Cc", "Resent-Bcc"};

    private VacationRules() {
    }

    /**
     * Why no reply may go to this mail's sender on behalf of {@code user}, or empty when one may.
     *
     * @param userAddresses the user's address and the script's {@code :addresses}
     */
    static Optional<String> whyNoReply(Mail mail, Collection<MailAddress> userAddresses) throws MessagingException {
        Optional<MailAddress> sender = mail.getMaybeSender().asOptional();
        if (sender.isEmpty()) {
            return Optional.of("null envelope sender (a bounce or a notification)");
        }
        if (containsIgnoringCase(userAddresses, sender.get())) {
            return Optional.of("sent by the user");
        }
        String localPart = sender.get().getLocalPart().toLowerCase(Locale.ROOT);
        if (DAEMON_LOCAL_PARTS.contains(localPart) || localPart.startsWith("owner-")
            || localPart.endsWith("-request") || localPart.endsWith("-owner")) {
            return Optional.of("sender " + sender.get().asString() + " is a list or daemon address");
        }
        MimeMessage message = mail.getMessage();
        String autoSubmitted = message.getHeader("Auto-Submitted", null);
        if (autoSubmitted != null && !autoSubmitted.trim().toLowerCase(Locale.ROOT).startsWith("no")) {
            return Optional.of("Auto-Submitted: " + autoSubmitted.trim());
        }
        String precedence = message.getHeader("Precedence", null);
        if (precedence != null && BULK_PRECEDENCE.contains(precedence.trim().toLowerCase(Locale.ROOT))) {
            return Optional.of("Precedence: " + precedence.trim());
        }
        if (hasListHeader(message)) {
            return Optional.of("mailing list mail (List-* header)");
        }
        if (!addressedTo(message, userAddresses)) {
            return Optional.of("the user is in none of To, Cc, Bcc, Resent-To, Resent-Cc, Resent-Bcc");
        }
        return Optional.empty();
    }

    private static boolean hasListHeader(MimeMessage message) throws MessagingException {
        var names = message.getAllHeaders();
        while (names.hasMoreElements()) {
            if (names.nextElement().getName().regionMatches(true, 0, "List-", 0, 5)) {
                return true;
            }
        }
        return false;
    }

    private static boolean addressedTo(MimeMessage message, Collection<MailAddress> userAddresses) throws MessagingException {
        for (String header : ADDRESSED_HEADERS) {
            String[] values = message.getHeader(header);
            if (values == null) {
                continue;
            }
            for (String value : values) {
                if (parse(value).stream().anyMatch(address -> containsIgnoringCase(userAddresses, address))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Collection<MailAddress> parse(String headerValue) {
        try {
            return Arrays.stream(InternetAddress.parseHeader(headerValue, false))
                .map(VacationRules::toMailAddress)
                .flatMap(Optional::stream)
                .toList();
        } catch (AddressException e) {
            // An unparsable header names nobody; the other headers may still name the user.
            return java.util.List.of();
        }
    }

    private static Optional<MailAddress> toMailAddress(Address address) {
        try {
            return Optional.of(new MailAddress(((InternetAddress) address).getAddress()));
        } catch (AddressException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static boolean containsIgnoringCase(Collection<MailAddress> addresses, MailAddress candidate) {
        return addresses.stream().anyMatch(address -> address.asString().equalsIgnoreCase(candidate.asString()));
    }
}
