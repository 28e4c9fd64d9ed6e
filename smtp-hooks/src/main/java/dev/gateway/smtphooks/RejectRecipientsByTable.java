package dev.gateway.smtphooks;

import java.net.InetAddress;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.gateway.routing.Action;
import dev.gateway.routing.MessageFacts;
import dev.gateway.routing.Route;
import dev.gateway.routing.RoutingTableStore;

/**
 * Applies the routing table's {@code reject} rules at RCPT time (docs/routing.md): a rule that depends only on the
 * envelope, authentication and client address refuses that recipient alone with the rule's reply; the message's
 * other recipients are unaffected, nothing is accepted and nothing is bounced (no backscatter to forged senders).
 * A recipient whose evaluation reaches a rule that needs the message (headers, size, spam score) is left to
 * {@link RejectMessagesByTable} at the end of DATA. A 4xx reply tells the client to retry later; 5xx refuses.
 *
 * <p>It must stand before RelayControl, which accepts relay-domain recipients outright. No settings:
 * <pre>{@code
 * <handler class="dev.gateway.smtphooks.RejectRecipientsByTable"/>
 * }</pre>
 */
public class RejectRecipientsByTable implements RcptHook {

    private static final Logger LOGGER = LoggerFactory.getLogger(RejectRecipientsByTable.class);

    private final RoutingTableStore tables;

    @Inject
    public RejectRecipientsByTable(RoutingTableStore tables) {
        this.tables = tables;
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        MessageFacts facts = new MessageFacts(sender, session.getUsername() != null, source(session), Optional.empty());
        Route route = tables.current().route(rcpt, facts);
        if (route.action().kind() != Action.Kind.REJECT) {
            return HookResult.DECLINED;
        }
        LOGGER.info("Recipient {} refused at RCPT by {} (MAIL FROM {}, client {})", rcpt.asString(),
            route.decidedBy().orElseThrow(), sender.asString(), source(session).map(InetAddress::getHostAddress).orElse("?"));
        return refusal(route);
    }

    static HookResult refusal(Route route) {
        var reply = route.action().reply().orElseThrow();
        return HookResult.builder()
            .hookReturnCode(reply.temporary() ? HookReturnCode.denySoft() : HookReturnCode.deny())
            .smtpReturnCode(reply.code())
            .smtpDescription(reply.text())
            .build();
    }

    static Optional<InetAddress> source(SMTPSession session) {
        return Optional.ofNullable(session.getRemoteAddress()).map(address -> address.getAddress());
    }
}
