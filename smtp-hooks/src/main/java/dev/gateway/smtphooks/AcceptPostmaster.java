package dev.gateway.smtphooks;

import java.util.Locale;

import javax.inject.Inject;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.api.DomainListException;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.RcptHook;

/**
 * Accepts {@code postmaster@} every local domain even when no such user exists, as RFC 5321 (4.5.1) requires:
 * the place people write to when mail goes wrong must never bounce. The mailet container's PostmasterAlias then
 * delivers it to the configured postmaster ({@code GATEWAY_POSTMASTER}). Place it before James's ValidRcptHandler,
 * which would refuse a recipient with no mailbox.
 *
 * <pre>{@code
 * <handler class="dev.gateway.smtphooks.AcceptPostmaster"/>
 * }</pre>
 */
public class AcceptPostmaster implements RcptHook {

    private final DomainList domains;

    @Inject
    public AcceptPostmaster(DomainList domains) {
        this.domains = domains;
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        if (!rcpt.getLocalPart().toLowerCase(Locale.ROOT).equals("postmaster")) {
            return HookResult.DECLINED;
        }
        try {
            return domains.containsDomain(rcpt.getDomain()) ? HookResult.OK : HookResult.DECLINED;
        } catch (DomainListException e) {
            // RelayControl, before this hook, already answers a temporary failure when the domain list is down.
            return HookResult.DECLINED;
        }
    }
}
