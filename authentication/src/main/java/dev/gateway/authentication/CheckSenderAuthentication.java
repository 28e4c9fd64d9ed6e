package dev.gateway.authentication;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.commons.configuration2.Configuration;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.dnsservice.library.netmatcher.NetMatcher;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.smtpserver.JamesMessageHook;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.gateway.api.AuthenticationAttributes;
import dev.gateway.authentication.dkim.DkimResult;
import dev.gateway.authentication.dkim.DkimVerifier;
import dev.gateway.authentication.dkim.RawMessage;
import dev.gateway.authentication.dmarc.DmarcEvaluator;
import dev.gateway.authentication.dmarc.DmarcResult;
import dev.gateway.authentication.dmarc.PublicSuffixes;
import dev.gateway.authentication.dns.TxtResolver;

/**
 * At the end of DATA, for mail from outside: verifies every DKIM signature, evaluates DMARC (RFC 7489) with them and
 * the SPF results of {@link SpfCheck}, writes one Authentication-Results field under our authserv-id with every
 * result, removes the Authentication-Results fields that arrived claiming our authserv-id, and keeps the results as
 * mail attributes for matchers and routing:
 *
 * <ul>
 *   <li>{@code gateway.auth.dkim}: {@code pass} when a signature passed, {@code none} without signatures, else the
 *       first signature's result;</li>
 *   <li>{@code gateway.auth.dkim.domains}: the d= of every passing signature, comma-separated;</li>
 *   <li>{@code gateway.auth.spf} and {@code gateway.auth.spf.helo}: the SPF results;</li>
 *   <li>{@code gateway.auth.dmarc}: the DMARC result, and {@code gateway.auth.dmarc.disposition} what the From
 *       domain's policy asks for it (none, quarantine, reject);</li>
 *   <li>{@code gateway.auth.results}: the whole Authentication-Results value.</li>
 * </ul>
 *
 * <pre>{@code
 * <handler class="dev.gateway.authentication.CheckSenderAuthentication">
 *     <authservId>mx.example.com</authservId>
 *     <dmarcEnforce>true</dmarcEnforce>   <!-- false: report DMARC only -->
 *     <dmarcTrustedForwarders>192.0.2.0/24, 2001:db8::/32</dmarcTrustedForwarders>  <!-- reported, not enforced -->
 *     <publicSuffixList>/var/lib/publicsuffix/public_suffix_list.dat</publicSuffixList>  <!-- default: Guava's -->
 *     <dmarcTrustedForwarderDomains>lists.example.org</dmarcTrustedForwarderDomains>  <!-- likewise, when SPF or DKIM
 *                                                    passes for it or a subdomain -->
 * </handler>
 * }</pre>
 *
 * With {@code dmarcEnforce}, a message whose disposition is reject is refused here with 550 5.7.1; one whose
 * disposition is quarantine is accepted and put in the quarantine repository by mailetcontainer.xml. Mail from a
 * client in {@code dmarcTrustedForwarders} (a mailing list server, a forwarder that breaks DKIM and SPF for good
 * reasons) is reported with its DMARC result but never refused or quarantined for it.
 *
 * Sessions that may relay (authenticated users, trusted networks) send our own mail: they are signed, not checked.
 */
public class CheckSenderAuthentication implements JamesMessageHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(CheckSenderAuthentication.class);

    private final DkimVerifier verifier;
    private final TxtResolver dns;
    private DmarcEvaluator dmarc;
    private final DNSService names;
    private String authservId;
    private boolean dmarcEnforce;
    private Optional<NetMatcher> trustedForwarders = Optional.empty();
    private Set<String> trustedForwarderDomains = Set.of();

    @Inject
    public CheckSenderAuthentication(TxtResolver dns, DNSService names) {
        this.verifier = new DkimVerifier(dns, Clock.systemUTC());
        this.dns = dns;
        this.names = names;
    }

    @Override
    public void init(Configuration configuration) {
        authservId = configuration.getString("authservId", "localhost").strip();
        dmarcEnforce = configuration.getBoolean("dmarcEnforce", true);
        PublicSuffixes suffixes = PublicSuffixes.from(configuration.getString("publicSuffixList", ""));
        // A list file that cannot be read stops the start here rather than failing every message later.
        suffixes.organizationalDomain("www.example.com");
        dmarc = new DmarcEvaluator(dns, () -> ThreadLocalRandom.current().nextInt(100), suffixes);
        List<String> forwarders = list(configuration, "dmarcTrustedForwarders");
        trustedForwarders = forwarders.isEmpty() ? Optional.empty() : Optional.of(new NetMatcher(forwarders, names));
        trustedForwarderDomains = list(configuration, "dmarcTrustedForwarderDomains").stream()
            .map(domain -> domain.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    private static List<String> list(Configuration configuration, String key) {
        return java.util.Arrays.stream(String.join(",", configuration.getStringArray(key)).split("[,\\s]+"))
            .filter(entry -> !entry.isBlank()).toList();
    }

    /**
     * Which trusted forwarder this mail proves to come from, if any: its client network, or a domain it is
     * authenticated as (a passing SPF for its MAIL FROM, a passing DKIM signature), so that naming a list's domain
     * cannot be abused by a sender merely claiming it.
     */
    private Optional<String> trustedForwarder(SMTPSession session, Optional<SpfResults> spf, List<DkimResult> dkim) {
        if (trustedForwarders.filter(networks -> networks.matchInetNetwork(session.getRemoteAddress().getAddress())).isPresent()) {
            return Optional.of("trusted forwarder");
        }
        Optional<String> bySpf = spf.filter(results -> results.mailFrom().equals("pass"))
            .map(results -> results.mailFromDomain().toLowerCase(Locale.ROOT))
            .filter(this::isTrustedForwarderDomain);
        Optional<String> byDkim = dkim.stream().filter(DkimResult::pass).map(result -> result.domain().toLowerCase(Locale.ROOT))
            .filter(this::isTrustedForwarderDomain).findFirst();
        return bySpf.or(() -> byDkim).map(domain -> "trusted forwarder " + domain);
    }

    private boolean isTrustedForwarderDomain(String domain) {
        return trustedForwarderDomains.stream().anyMatch(trusted -> domain.equals(trusted) || domain.endsWith("." + trusted));
    }

    @Override
    public HookResult onMessage(SMTPSession session, Mail mail) {
        if (session.getUsername() != null || session.isRelayingAllowed()) {
            return HookResult.DECLINED;
        }
        try {
            RawMessage message = RawMessage.parse(MessageBytes.read(mail));
            List<DkimResult> dkim = verifier.verify(message);
            List<String> clauses = new ArrayList<>();
            Optional<SpfResults> spf = session.getAttachment(SpfResults.KEY, State.Transaction);
            spf.ifPresent(results -> {
                clauses.add(results.mailFromClause());
                clauses.add(results.heloClause());
                mail.setAttribute(attribute(AuthenticationAttributes.SPF, results.mailFrom()));
                mail.setAttribute(attribute(AuthenticationAttributes.SPF_HELO, results.helo()));
            });
            if (dkim.isEmpty()) {
                clauses.add("dkim=none");
            }
            dkim.forEach(result -> clauses.add(result.resinfo()));
            List<String> from = FromDomains.of(message);
            DmarcResult dmarcResult = dmarc.evaluate(from.size() == 1 ? Optional.of(from.get(0)) : Optional.empty(),
                dkim.stream().filter(DkimResult::pass).map(DkimResult::domain).toList(),
                spf.map(SpfResults::mailFrom), spf.map(SpfResults::mailFromDomain).orElse(""));
            if (!dmarcResult.disposition().equals("none")) {
                Optional<String> forwarder = trustedForwarder(session, spf, dkim);
                if (forwarder.isPresent()) {
                    dmarcResult = dmarcResult.overridden(forwarder.get());
                }
            }
            clauses.add(dmarcResult.resinfo());
            String field = AuthenticationResults.field(authservId, clauses);
            MessageBytes.replace(mail, message.rewrite(List.of(field),
                header -> AuthenticationResults.claims(header, authservId)));

            String summary = dkim.isEmpty() ? "none"
                : dkim.stream().anyMatch(DkimResult::pass) ? "pass" : dkim.get(0).result();
            mail.setAttribute(attribute(AuthenticationAttributes.DKIM, summary));
            mail.setAttribute(attribute(AuthenticationAttributes.DKIM_DOMAINS, dkim.stream().filter(DkimResult::pass)
                .map(DkimResult::domain).distinct().collect(Collectors.joining(","))));
            mail.setAttribute(attribute(AuthenticationAttributes.RESULTS, AuthenticationResults.value(field)));
            mail.setAttribute(attribute(AuthenticationAttributes.DMARC, dmarcResult.result()));
            String disposition = dmarcEnforce ? dmarcResult.disposition() : "none";
            mail.setAttribute(attribute(AuthenticationAttributes.DMARC_DISPOSITION, disposition));
            LOGGER.info("Mail {}: {}", mail.getName(), AuthenticationResults.value(field));
            if (disposition.equals("reject")) {
                LOGGER.warn("Mail {} refused: DMARC policy of {} is reject and the message is not aligned",
                    mail.getName(), dmarcResult.fromDomain());
                return HookResult.builder().hookReturnCode(HookReturnCode.deny()).smtpReturnCode("550")
                    .smtpDescription("5.7.1 Unauthenticated mail from " + dmarcResult.fromDomain()
                        + " is refused by its DMARC policy").build();
            }
            return HookResult.DECLINED;
        } catch (MessagingException | IOException e) {
            LOGGER.error("Could not check the authentication of mail {}", mail.getName(), e);
            return HookResult.builder().hookReturnCode(HookReturnCode.denySoft()).smtpReturnCode("451")
                .smtpDescription("4.3.0 Temporary failure while processing the message").build();
        }
    }

    private static Attribute attribute(String name, String value) {
        return new Attribute(AttributeName.of(name), AttributeValue.of(value));
    }
}
