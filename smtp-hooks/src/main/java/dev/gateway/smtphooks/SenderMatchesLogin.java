package dev.gateway.smtphooks;

import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;
import javax.mail.Address;
import javax.mail.MessagingException;
import javax.mail.internet.InternetAddress;

import org.apache.commons.configuration2.Configuration;
import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.core.Username;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.apache.james.rrt.api.CanSendFrom;
import org.apache.james.smtpserver.JamesMessageHook;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An authenticated user may send only as themselves: the envelope sender (MAIL FROM) and every address of the
 * From: header must be the login, one of its aliases (James's recipient rewrite table, managed with WebAdmin's
 * {@code /address/aliases} routes), or an address in a domain listed in {@code permittedDomains}.
 *
 * <p>The null sender ({@code MAIL FROM:<>}) is allowed, as for read receipts and vacation replies; its From: header
 * is still checked. Addresses compare case-insensitively. Unauthenticated sessions are left to other rules
 * (RequireAuthentication refuses them on submission listeners).
 *
 * <pre>{@code
 * <handler class="dev.gateway.smtphooks.SenderMatchesLogin">
 *     <checkFromHeader>true</checkFromHeader>     <!-- default true -->
 *     <permittedDomains></permittedDomains>      <!-- default: none -->
 * </handler>
 * }</pre>
 *
 * Replies: {@code 553 5.7.1 Sender address <x> not owned by <login>} at MAIL FROM, and the same code for a
 * From: header at the end of DATA (the message is refused, not accepted).
 */
public class SenderMatchesLogin implements MailHook, JamesMessageHook {

    private static final Logger LOGGER = LoggerFactory.getLogger(SenderMatchesLogin.class);

    /** Settings read once from the handler element. */
    record Settings(boolean checkFromHeader, Set<Domain> permittedDomains) {
        static Settings from(Configuration configuration) {
            return new Settings(configuration.getBoolean("checkFromHeader", true),
                SettingLists.domains(configuration, "permittedDomains"));
        }
    }

    private final CanSendFrom canSendFrom;
    private Settings settings = new Settings(true, Set.of());

    @Inject
    public SenderMatchesLogin(CanSendFrom canSendFrom) {
        this.canSendFrom = canSendFrom;
    }

    @Override
    public void init(Configuration configuration) {
        settings = Settings.from(configuration);
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        Username login = session.getUsername();
        if (login == null || sender.isNullSender() || owns(login, sender.get())) {
            return HookResult.DECLINED;
        }
        return refuse(session, login, "Sender address <" + sender.asString() + ">");
    }

    @Override
    public HookResult onMessage(SMTPSession session, Mail mail) {
        Username login = session.getUsername();
        if (login == null || !settings.checkFromHeader()) {
            return HookResult.DECLINED;
        }
        Address[] from;
        try {
            from = mail.getMessage().getFrom();
        } catch (MessagingException e) {
            return refuse(session, login, "Unreadable From: header");
        }
        for (Address address : Optional.ofNullable(from).orElse(new Address[0])) {
            Optional<MailAddress> mailAddress = asMailAddress(address);
            if (mailAddress.isEmpty()) {
                return refuse(session, login, "Unreadable From: header address");
            }
            if (!owns(login, mailAddress.get())) {
                return refuse(session, login, "From: header address <" + mailAddress.get().asString() + ">");
            }
        }
        return HookResult.DECLINED;
    }

    private boolean owns(Username login, MailAddress address) {
        if (address.asString().equalsIgnoreCase(login.asString())
                || settings.permittedDomains().contains(address.getDomain())) {
            return true;
        }
        return canSendFrom.userCanSendFrom(login, Username.fromMailAddress(address));
    }

    /** The address of one From: header entry as James handles it, or empty when it is not a usable mail address. */
    static Optional<MailAddress> asMailAddress(Address address) {
        if (!(address instanceof InternetAddress internetAddress) || internetAddress.getAddress() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new MailAddress(internetAddress.getAddress()));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private static HookResult refuse(SMTPSession session, Username login, String what) {
        LOGGER.info("{} refused for {} from {}", what, login.asString(), session.getRemoteAddress().getAddress().getHostAddress());
        return HookResult.builder().hookReturnCode(HookReturnCode.deny()).smtpReturnCode("553")
            .smtpDescription("5.7.1 " + what + " not owned by " + login.asString()).build();
    }
}
