package dev.gateway.sieve;

import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.mailbox.model.MailboxConstants;
import org.apache.james.server.core.MailImpl;
import org.apache.james.sieverepository.api.SieveRepository;
import org.apache.james.sieverepository.api.exception.ScriptNotFoundException;
import org.apache.james.transport.mailets.jsieve.ActionDispatcher;
import org.apache.james.transport.mailets.jsieve.ResourceLocator;
import org.apache.james.transport.mailets.jsieve.SieveMailAdapter;
import org.apache.james.transport.mailets.jsieve.delivery.SieveExecutor;
import org.apache.james.transport.mailets.jsieve.delivery.SieveFailureMessageComposer;
import org.apache.james.transport.mailets.jsieve.delivery.SievePoster;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.util.date.ZonedDateTimeProvider;
import org.apache.james.vacation.api.NotificationRegistry;
import org.apache.jsieve.ConfigurationManager;
import org.apache.jsieve.SieveFactory;
import org.apache.jsieve.exception.SieveException;
import org.apache.jsieve.mail.optional.ActionVacation;
import org.apache.jsieve.parser.generated.ParseException;
import org.apache.jsieve.parser.generated.TokenMgrError;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.apache.mailet.base.MailetUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each local recipient's active Sieve script (uploaded over ManageSieve, RFC 5804): {@code fileinto} and
 * {@code keep} set the folder {@code LocalDelivery} then stores the recipient's copy in, {@code discard},
 * {@code redirect} and {@code reject} act as in James's {@code Sieve} mailet, and {@code vacation} follows RFC 5230's
 * loop and frequency rules ({@link RateLimitedVacation}). A recipient without an active script is left alone.
 *
 * <p>This is James's {@code Sieve} mailet (its {@code SieveExecutor}) with one action replaced: James builds its action
 * table inside {@code SieveExecutor} and offers no way to pass another one.
 *
 * <pre>{@code
 * <processor state="local-delivery">
 *     <mailet match="All" class="dev.gateway.sieve.RunSieveScript">
 *         <vacationMinimumDays>1</vacationMinimumDays>   <!-- default 1 -->
 *         <vacationMaximumDays>30</vacationMaximumDays>  <!-- default 30 -->
 *     </mailet>
 *     <mailet match="All" class="LocalDelivery"/>
 * </processor>
 * }</pre>
 */
public class RunSieveScript extends GenericMailet {

    private static final Logger LOGGER = LoggerFactory.getLogger(RunSieveScript.class);

    private final UsersRepository users;
    private final ResourceLocator scripts;
    private final NotificationRegistry notified;
    private final ZonedDateTimeProvider clock;
    private SieveFactory sieve;
    private ActionDispatcher actions;
    private SievePoster poster;

    @Inject
    public RunSieveScript(UsersRepository users, SieveRepository scripts, NotificationRegistry notified,
                          ZonedDateTimeProvider clock) {
        this.users = users;
        this.scripts = new ResourceLocator(scripts, users);
        this.notified = notified;
        this.clock = clock;
    }

    @Override
    public void init() throws MessagingException {
        VacationDays days = new VacationDays(
            MailetUtil.getInitParameterAsInteger(getInitParameter("vacationMinimumDays"), Optional.of(1)),
            MailetUtil.getInitParameterAsInteger(getInitParameter("vacationMaximumDays"), Optional.of(30)));
        try {
            sieve = new ConfigurationManager().build();
        } catch (org.apache.jsieve.SieveConfigurationException e) {
            throw new MessagingException("Cannot load jSieve's standard configuration", e);
        }
        actions = new VacationReplacingDispatcher(new RateLimitedVacation(notified, clock, days));
        poster = new SievePoster(users, MailboxConstants.INBOX);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        // A notice of a failed script, sent by this mailet, is delivered as is: never filtered, never answered.
        if (AttributeUtils.getValueAndCastFromMail(mail, SieveExecutor.SIEVE_NOTIFICATION, Boolean.class).orElse(false)) {
            return;
        }
        for (MailAddress recipient : mail.getRecipients()) {
            run(recipient, mail);
        }
    }

    private void run(MailAddress recipient, Mail mail) throws MessagingException {
        ResourceLocator.UserSieveInformation script;
        try {
            script = scripts.get(recipient);
        } catch (ScriptNotFoundException e) {
            return;
        } catch (Exception e) {
            // The script store failing must not lose the mail: it is delivered to INBOX unfiltered.
            LOGGER.error("Cannot read the Sieve script of {}; delivering unfiltered", recipient.asString(), e);
            return;
        }
        SieveMailAdapter adapter = new SieveMailAdapter(mail, getMailetContext(), actions, poster,
            script.getScriptActivationDate(), script.getScriptInterpretationDate(), recipient);
        try {
            sieve.evaluate(adapter, sieve.parse(script.getScriptContent()));
        } catch (SieveException | ParseException e) {
            notifyFailure(recipient, mail, e);
        } catch (TokenMgrError e) {
            notifyFailure(recipient, mail, new SieveException(e));
        }
    }

    /** The user learns that their script failed (the mail itself is still delivered, to INBOX). */
    private void notifyFailure(MailAddress recipient, Mail mail, Exception e) throws MessagingException {
        LOGGER.warn("The Sieve script of {} failed on mail {}: {}", recipient.asString(), mail.getName(), e.getMessage());
        MailImpl notice = MailImpl.builder()
            .name(MailImpl.getId())
            .addAttribute(new Attribute(SieveExecutor.SIEVE_NOTIFICATION, AttributeValue.of(true)))
            .sender(recipient)
            .addRecipient(recipient)
            .mimeMessage(SieveFailureMessageComposer.composeMessage(mail, e, recipient.asString()))
            .build();
        try {
            getMailetContext().sendMail(notice);
        } finally {
            notice.dispose();
        }
    }

    @Override
    public String getMailetInfo() {
        return "Runs users' Sieve scripts, with RFC 5230 vacation rules";
    }

    /** James's action table with our vacation action in place of James's. */
    private static final class VacationReplacingDispatcher extends ActionDispatcher {
        VacationReplacingDispatcher(RateLimitedVacation vacation) {
            getMethodMap().put(ActionVacation.class, vacation);
        }
    }
}
