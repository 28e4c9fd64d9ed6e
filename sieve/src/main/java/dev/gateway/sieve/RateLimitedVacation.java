package dev.gateway.sieve;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.stream.Stream;

import javax.mail.MessagingException;
import javax.mail.internet.AddressException;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.server.core.MailImpl;
import org.apache.james.transport.mailets.jsieve.ActionContext;
import org.apache.james.transport.mailets.jsieve.MailAction;
import org.apache.james.util.date.ZonedDateTimeProvider;
import org.apache.james.vacation.api.AccountId;
import org.apache.james.vacation.api.NotificationRegistry;
import org.apache.james.vacation.api.RecipientId;
import org.apache.jsieve.mail.Action;
import org.apache.jsieve.mail.optional.ActionVacation;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Sieve {@code vacation} action (RFC 5230) with the rules James 3.8.1's own action leaves out: at most one reply per
 * sender per {@code :days} (remembered in James's {@link NotificationRegistry}, in the heap or in Cassandra with the
 * backend), no reply to bounces, lists, automatic mail or mail that does not name the user ({@link VacationRules}),
 * and replies that cannot loop themselves: null envelope sender, {@code Auto-Submitted: auto-replied}.
 *
 * <p>James's action reads {@code :days} as "how long after the script's activation to answer at all" and answers every
 * message in that window; here it is the minimum interval between two replies to one sender, as the RFC says.
 */
final class RateLimitedVacation implements MailAction {

    private static final Logger LOGGER = LoggerFactory.getLogger(RateLimitedVacation.class);

    private final NotificationRegistry notified;
    private final ZonedDateTimeProvider clock;
    private final VacationDays days;

    RateLimitedVacation(NotificationRegistry notified, ZonedDateTimeProvider clock, VacationDays days) {
        this.notified = notified;
        this.clock = clock;
        this.days = days;
    }

    @Override
    public void execute(Action action, Mail mail, ActionContext context) throws MessagingException {
        ActionVacation vacation = (ActionVacation) action;
        MailAddress user = context.getRecipient();
        Optional<String> whyNot = VacationRules.whyNoReply(mail, Stream.concat(Stream.of(user),
            vacation.getAddresses().stream().map(RateLimitedVacation::address).flatMap(Optional::stream)).toList());
        if (whyNot.isPresent()) {
            LOGGER.info("No vacation reply for {} to mail {}: {}", user.asString(), mail.getName(), whyNot.get());
            return;
        }
        MailAddress sender = mail.getMaybeSender().get();
        // Keyed by the address the mail was for, so that each of a user's addresses answers for itself.
        AccountId account = AccountId.fromString(user.asString());
        RecipientId recipient = RecipientId.fromMailAddress(sender);
        if (Boolean.TRUE.equals(notified.isRegistered(account, recipient).block())) {
            LOGGER.info("No vacation reply for {} to {}: already answered within {} days", user.asString(),
                sender.asString(), days.clamp(vacation.getDuration()));
            return;
        }
        // Registered before sending: two spooler threads racing on one sender may still both reply (the registry has
        // no compare-and-set); a reply lost to a crash between the two is the safer failure.
        ZonedDateTime until = clock.get().plusDays(days.clamp(vacation.getDuration()));
        notified.register(account, recipient, Optional.of(until)).block();
        send(reply(mail, vacation, user), sender, context);
        LOGGER.info("Vacation reply from {} to {} (next one after {})", user.asString(), sender.asString(), until);
    }

    private static void send(MimeMessage reply, MailAddress to, ActionContext context) throws MessagingException {
        MailImpl replyMail = MailImpl.builder()
            .name(MailImpl.getId())
            // RFC 5230 section 5.1: the reply's envelope sender is null, so that nothing answers it.
            .sender(MailAddress.nullSender())
            .addRecipient(to)
            .mimeMessage(reply)
            .build();
        try {
            context.post(replyMail);
        } finally {
            LifecycleUtil.dispose(replyMail);
        }
    }

    private static MimeMessage reply(Mail mail, ActionVacation vacation, MailAddress user) throws MessagingException {
        MimeMessage original = mail.getMessage();
        // reply(false) sets To (from Reply-To or From), In-Reply-To and References, as RFC 5230 section 5.8 asks.
        MimeMessage reply = (MimeMessage) original.reply(false);
        reply.setFrom(new InternetAddress(Optional.ofNullable(vacation.getFrom()).orElse(user.asString())));
        String originalSubject = Optional.ofNullable(original.getSubject()).orElse("");
        // RFC 5230 section 4.3: without :subject, "Auto: " and the original subject.
        reply.setSubject(Optional.ofNullable(vacation.getSubject()).orElse("Auto: " + originalSubject), "UTF-8");
        reply.setHeader("Auto-Submitted", "auto-replied (vacation)");
        if (vacation.getMime() != null) {
            MimeBodyPart body = new MimeBodyPart(new ByteArrayInputStream(vacation.getMime().getBytes(StandardCharsets.UTF_8)));
            reply.setContent(new MimeMultipart(body));
        } else {
            reply.setText(Optional.ofNullable(vacation.getReason()).orElse(""), "UTF-8");
        }
        reply.saveChanges();
        return reply;
    }

    private static Optional<MailAddress> address(String value) {
        try {
            return Optional.of(new MailAddress(value));
        } catch (AddressException e) {
            LOGGER.warn("Ignoring vacation :addresses entry {}: {}", value, e.getMessage());
            return Optional.empty();
        }
    }
}
