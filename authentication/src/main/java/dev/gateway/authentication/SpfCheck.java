package dev.gateway.authentication;

import java.net.InetAddress;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.handler.ProtocolHandler;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.gateway.authentication.dns.DnsjavaLookups;
import dev.gateway.authentication.dns.GatewayDnsService;
import dev.gateway.authentication.spf.SpfEvaluator;
import dev.gateway.authentication.spf.SpfOutcome;

/**
 * SPF (RFC 7208) for the HELO and MAIL FROM identities of mail from outside, evaluated once per transaction at MAIL
 * FROM with our RFC 7208 evaluator ({@link SpfEvaluator}) over the gateway's DNS service. The results go into the
 * Authentication-Results field ({@link CheckSenderAuthentication}); refusing at SMTP time is off by default, since a forwarder relaying mail
 * unchanged fails its original sender's SPF (docs/authentication.md).
 *
 * <pre>{@code
 * <handler class="dev.gateway.authentication.SpfCheck">
 *     <rejectFail>false</rejectFail>      <!-- true: "-all" fail of MAIL FROM refused with 550 5.7.23 -->
 * </handler>
 * }</pre>
 *
 * DNS timeouts and servers are the DNS service's (dnsservice.xml); a lookup that fails or times out makes the result
 * temperror. Sessions that may relay (authenticated users, trusted networks) are our own mail and are not checked.
 */
public class SpfCheck implements MailHook, ProtocolHandler {
    private static final Logger LOGGER = LoggerFactory.getLogger(SpfCheck.class);

    private final GatewayDnsService dns;
    private boolean rejectFail;

    @Inject
    public SpfCheck(GatewayDnsService dns) {
        this.dns = dns;
    }

    @Override
    public void init(Configuration configuration) throws ConfigurationException {
        rejectFail = configuration.getBoolean("rejectFail", false);
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        if (session.getUsername() != null || session.isRelayingAllowed()) {
            return HookResult.DECLINED;
        }
        InetAddress client = session.getRemoteAddress().getAddress();
        String ip = client.getHostAddress();
        String helo = session.getAttachment(SMTPSession.CURRENT_HELO_NAME, State.Connection).orElse("");
        // The receiving host's name is the r macro of explanations (RFC 7208 section 7.3).
        SpfEvaluator spf = new SpfEvaluator(new DnsjavaLookups(dns.resolver(), dns.cache()),
            session.getConfiguration().getHelloName());
        // The HELO identity is checked as postmaster@ the HELO name (RFC 7208 section 2.3).
        String heloResult = helo.isEmpty() ? "none"
            : logged(spf.check(client, "postmaster@" + helo, helo), helo).result().text();
        String mailFromResult;
        String mailFromDomain;
        Optional<String> explanation = Optional.empty();
        if (sender.isNullSender()) {
            // RFC 7208 section 2.4: a null reverse-path is checked as postmaster@ the HELO name.
            mailFromResult = heloResult;
            mailFromDomain = helo;
        } else {
            SpfOutcome result = logged(spf.check(client, sender.asString(), helo), sender.asString());
            mailFromResult = result.result().text();
            mailFromDomain = sender.get().getDomain().asString();
            explanation = result.explanation().filter(text -> !text.isBlank());
        }
        SpfResults results = new SpfResults(mailFromResult, mailFromDomain, heloResult, helo, explanation);
        session.setAttachment(SpfResults.KEY, results, State.Transaction);
        LOGGER.info("SPF from {}: mailfrom={} ({}), helo={} ({})", ip, results.mailFrom(), mailFromDomain,
            results.helo(), helo);
        if (rejectFail && results.mailFrom().equals("fail")) {
            return HookResult.builder().hookReturnCode(HookReturnCode.deny()).smtpReturnCode("550")
                .smtpDescription("5.7.23 SPF fail: " + mailFromDomain + " does not designate " + ip
                    + " as permitted sender" + explanation.map(text -> " (" + text + ")").orElse(""))
                .build();
        }
        return HookResult.DECLINED;
    }

    /** A permerror or temperror says why in the log: a broken record to tell its owner about, a DNS server down. */
    private static SpfOutcome logged(SpfOutcome outcome, String identity) {
        outcome.problem().ifPresent(problem -> LOGGER.info("SPF {} for {}: {}", outcome.result().text(), identity, problem));
        return outcome;
    }
}
