package dev.gateway.authentication;

import java.util.Locale;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MaybeSender;
import org.apache.james.jspf.core.DNSService;
import org.apache.james.jspf.core.DNSServiceEnabled;
import org.apache.james.jspf.core.MacroExpand;
import org.apache.james.jspf.core.MacroExpandEnabled;
import org.apache.james.jspf.core.SPFCheckEnabled;
import org.apache.james.jspf.executor.SPFResult;
import org.apache.james.jspf.executor.SynchronousSPFExecutor;
import org.apache.james.jspf.impl.DNSServiceXBillImpl;
import org.apache.james.jspf.impl.DefaultTermsFactory;
import org.apache.james.jspf.impl.SPF;
import org.apache.james.jspf.parser.RFC4408SPF1Parser;
import org.apache.james.jspf.wiring.WiringServiceTable;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.handler.ProtocolHandler;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.gateway.authentication.dns.GatewayDnsService;

/**
 * SPF (RFC 7208) for the HELO and MAIL FROM identities of mail from outside, evaluated once per transaction at MAIL
 * FROM with jSPF over the gateway's DNS service. The results go into the Authentication-Results field
 * ({@link CheckSenderAuthentication}); refusing at SMTP time is off by default, since a forwarder relaying mail
 * unchanged fails its original sender's SPF (docs/authentication.md).
 *
 * <pre>{@code
 * <handler class="dev.gateway.authentication.SpfCheck">
 *     <rejectFail>false</rejectFail>      <!-- true: "-all" fail of MAIL FROM refused with 550 5.7.23 -->
 * </handler>
 * }</pre>
 *
 * DNS timeouts and servers are the DNS service's (dnsservice.xml). Sessions that may relay (authenticated users, trusted networks) are our own mail and are not checked.
 */
public class SpfCheck implements MailHook, ProtocolHandler {
    private static final Logger LOGGER = LoggerFactory.getLogger(SpfCheck.class);

    private final GatewayDnsService dns;
    private SPF spf;
    private boolean rejectFail;

    @Inject
    public SpfCheck(GatewayDnsService dns) {
        this.dns = dns;
    }

    @Override
    public void init(Configuration configuration) throws ConfigurationException {
        rejectFail = configuration.getBoolean("rejectFail", false);
        spf = synchronousSpf(new DNSServiceXBillImpl(dns.resolver()));
    }

    /**
     * jSPF as {@code new SPF(dns)} builds it, but with its synchronous executor. The asynchronous one of jSPF 1.0.3
     * sends its queries to the system's resolvers whatever resolver it is given (dnsjava's default
     * {@code LookupSession}), and when made to use ours it never falls back from the SPF RR type to TXT: every
     * record then reads as "none". No jSPF timeout is set: it would change the shared resolver's, which
     * dnsservice.xml sets. Records of the obsolete SPF type are never asked for (RFC 7208 section 3.1, {@link TxtOnly}).
     */
    static SPF synchronousSpf(DNSService lookups) {
        DNSService dns = new TxtOnly(lookups);
        MacroExpand macroExpand = new MacroExpand(dns);
        WiringServiceTable wiring = new WiringServiceTable();
        wiring.put(DNSServiceEnabled.class, dns);
        wiring.put(MacroExpandEnabled.class, macroExpand);
        SPF spf = new SPF(dns, new RFC4408SPF1Parser(new DefaultTermsFactory(wiring)), macroExpand,
            new SynchronousSPFExecutor(dns));
        // include: and redirect= evaluate another domain's record through the checker itself.
        wiring.put(SPFCheckEnabled.class, spf);
        return spf;
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        if (session.getUsername() != null || session.isRelayingAllowed()) {
            return HookResult.DECLINED;
        }
        String ip = session.getRemoteAddress().getAddress().getHostAddress();
        String helo = session.getAttachment(SMTPSession.CURRENT_HELO_NAME, State.Connection).orElse("");
        String heloResult = helo.isEmpty() ? "none" : spf.checkSPF(ip, "", helo).getResult();
        String mailFromResult;
        String mailFromDomain;
        Optional<String> explanation = Optional.empty();
        if (sender.isNullSender()) {
            // RFC 7208 section 2.4: a null reverse-path is checked as postmaster@ the HELO name.
            mailFromResult = heloResult;
            mailFromDomain = helo;
        } else {
            SPFResult result = spf.checkSPF(ip, sender.asString(), helo);
            mailFromResult = result.getResult();
            mailFromDomain = sender.get().getDomain().asString();
            explanation = Optional.ofNullable(result.getExplanation()).filter(text -> !text.isBlank());
        }
        SpfResults results = new SpfResults(mailFromResult.toLowerCase(Locale.ROOT), mailFromDomain,
            heloResult.toLowerCase(Locale.ROOT), helo, explanation);
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

    /**
     * jSPF 1.0.3 follows RFC 4408: it asks for records of type SPF (99) first and uses them over TXT. RFC 7208 section
     * 3.1 removed that type: a domain's policy is its TXT record. This answers every type-SPF query with nothing, so
     * jSPF falls back to TXT (the openspf suite's "Record lookup" and "Selecting records" cases, Rfc7208SuiteTest).
     */
    record TxtOnly(DNSService delegate) implements DNSService {
        @Override
        public java.util.List<String> getRecords(org.apache.james.jspf.core.DNSRequest request)
            throws org.apache.james.jspf.core.exceptions.TimeoutException {
            return request.getRecordType() == org.apache.james.jspf.core.DNSRequest.SPF ? null : delegate.getRecords(request);
        }

        @Override
        public java.util.concurrent.CompletionStage<java.util.List<String>> getRecordsAsync(
            org.apache.james.jspf.core.DNSRequest request) {
            return request.getRecordType() == org.apache.james.jspf.core.DNSRequest.SPF
                ? java.util.concurrent.CompletableFuture.completedFuture(null) : delegate.getRecordsAsync(request);
        }

        @Override
        public java.util.List<String> getLocalDomainNames() {
            return delegate.getLocalDomainNames();
        }

        @Override
        public void setTimeOut(int timeOut) {
            delegate.setTimeOut(timeOut);
        }

        @Override
        public int getRecordLimit() {
            return delegate.getRecordLimit();
        }

        @Override
        public void setRecordLimit(int recordLimit) {
            delegate.setRecordLimit(recordLimit);
        }
    }
}
