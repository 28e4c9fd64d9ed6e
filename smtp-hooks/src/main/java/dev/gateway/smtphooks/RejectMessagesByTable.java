package dev.gateway.smtphooks;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.smtpserver.JamesMessageHook;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.gateway.routing.Action;
import dev.gateway.routing.MailFacts;
import dev.gateway.routing.MessageFacts;
import dev.gateway.routing.Route;
import dev.gateway.routing.RoutingTable;
import dev.gateway.routing.RoutingTableStore;

/**
 * Applies the routing table's {@code reject} rules at the end of DATA (docs/routing.md), when headers, size and
 * spam score are known: the table is evaluated for every recipient and, if one recipient's deciding rule is a
 * reject, the whole message is refused with that rule's reply. SMTP has one reply to DATA for all recipients, so a
 * message cannot be refused for some recipients only; the sending server returns it to its sender, and the gateway
 * never bounces (no backscatter to forged senders). Rules that can be decided from the envelope are applied earlier,
 * per recipient, by {@link RejectRecipientsByTable}.
 *
 * <p>It must stand after SpamFilter (so that spam-score rules see the score) and before CoreCmdHandlerLoader.
 * No settings:
 * <pre>{@code
 * <handler class="dev.gateway.smtphooks.RejectMessagesByTable"/>
 * }</pre>
 */
public class RejectMessagesByTable implements JamesMessageHook {

    private static final Logger LOGGER = LoggerFactory.getLogger(RejectMessagesByTable.class);

    private final RoutingTableStore tables;

    @Inject
    public RejectMessagesByTable(RoutingTableStore tables) {
        this.tables = tables;
    }

    @Override
    public HookResult onMessage(SMTPSession session, Mail mail) {
        RoutingTable table = tables.current();
        if (table.rules().isEmpty()) {
            return HookResult.DECLINED;
        }
        try {
            MessageFacts facts = MailFacts.of(mail, session.getUsername() != null, RejectRecipientsByTable.source(session));
            for (MailAddress recipient : mail.getRecipients()) {
                Route route = table.route(recipient, facts);
                if (route.action().kind() == Action.Kind.REJECT) {
                    LOGGER.info("Message from {} refused at end of DATA by {} for recipient {} ({} recipients)",
                        mail.getMaybeSender().asString(), route.decidedBy().orElseThrow(), recipient.asString(),
                        mail.getRecipients().size());
                    return RejectRecipientsByTable.refusal(route);
                }
            }
        } catch (MessagingException e) {
            LOGGER.error("Cannot read message {} for the routing table", mail.getName(), e);
            return HookResult.builder().hookReturnCode(HookReturnCode.denySoft())
                .smtpReturnCode("451").smtpDescription("4.3.0 Temporary failure, try again later").build();
        }
        return HookResult.DECLINED;
    }
}
