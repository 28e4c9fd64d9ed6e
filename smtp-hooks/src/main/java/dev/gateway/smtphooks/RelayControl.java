package dev.gateway.smtphooks;

import java.util.Set;

import javax.inject.Inject;

import org.apache.commons.configuration2.Configuration;
import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.api.DomainListException;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts a recipient only if the gateway is its destination or the client may relay: the recipient's domain is
 * one of ours (the domain list) or a listed relay domain, or the client authenticated, or it connects from a
 * trusted network (the listener's {@code <authorizedAddresses>}). Everything else is refused at RCPT time, so
 * nothing is accepted that would later have to be bounced.
 *
 * <pre>{@code
 * <handler class="dev.gateway.smtphooks.RelayControl">
 *     <relayDomains>partner.example, branch.example</relayDomains>   <!-- default: none -->
 * </handler>
 * }</pre>
 *
 * Reply for a foreign recipient from a client that may not relay: {@code 554 5.7.1 <rcpt>: Relay access denied}.
 * A local recipient is left to the next handlers (an unknown local user gets James's {@code 550 5.1.1}); a
 * recipient in a relay domain is accepted outright (the gateway cannot know that domain's users), so it must
 * stand after the per-message recipient limit. The same list must be given to the {@code HostIs} matcher that
 * sends such recipients to the relay processor (both read {@code GATEWAY_RELAY_DOMAINS} in the shipped files).
 * If the domain list cannot be read, the recipient gets {@code 451 4.3.0} and the client retries later.
 */
public class RelayControl implements RcptHook {

    private static final Logger LOGGER = LoggerFactory.getLogger(RelayControl.class);

    private final DomainList domains;
    private Set<Domain> relayDomains = Set.of();

    @Inject
    public RelayControl(DomainList domains) {
        this.domains = domains;
    }

    @Override
    public void init(Configuration configuration) {
        relayDomains = SettingLists.domains(configuration, "relayDomains");
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        Domain domain = rcpt.getDomain();
        try {
            if (domains.containsDomain(domain)) {
                return HookResult.DECLINED;
            }
            if (relayDomains.contains(domain)) {
                // Accepted here for good: James's own relay check would refuse a domain that is not ours.
                // mailetcontainer.xml sends these recipients to the relay processor (HostIs on the same list).
                return HookResult.OK;
            }
        } catch (DomainListException e) {
            LOGGER.error("Domain list unavailable while checking {}", rcpt.asString(), e);
            return HookResult.builder().hookReturnCode(HookReturnCode.denySoft())
                .smtpReturnCode("451").smtpDescription("4.3.0 Temporary failure, try again later").build();
        }
        if (session.isRelayingAllowed()) {
            return HookResult.DECLINED;
        }
        LOGGER.info("Relay denied to {} from {} (MAIL FROM {})", rcpt.asString(),
            session.getRemoteAddress().getAddress().getHostAddress(), sender.asString());
        return HookResult.builder().hookReturnCode(HookReturnCode.deny())
            .smtpReturnCode("554").smtpDescription("5.7.1 <" + rcpt.asString() + ">: Relay access denied").build();
    }
}
