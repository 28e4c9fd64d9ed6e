package dev.gateway.authentication.spf;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

import dev.gateway.authentication.spf.SpfDns.Answer;
import dev.gateway.authentication.spf.SpfRecord.Directive;

/**
 * RFC 7208's {@code check_host()} (section 4) over {@link SpfDns}: the sender's domain checked (4.3), its one SPF
 * record selected (4.4, 4.5), parsed ({@link SpfRecordParser}) and evaluated directive by directive (4.6), then
 * {@code redirect} (6.1), with the explanation of {@code exp} for a fail (6.2). Thread-safe: each call keeps its own
 * counters of the processing limits (4.6.4).
 *
 * <p>Identities (section 2): for MAIL FROM, {@code check(ip, "user@domain", helo)}; for HELO,
 * {@code check(ip, "postmaster@" + helo, helo)}; a sender without a local part is {@code postmaster} (4.3).
 */
public class SpfEvaluator {
    private final SpfDns dns;
    private final String receiver;

    /** @param receiver this host's name, the {@code r} macro of explanations (section 7.3) */
    public SpfEvaluator(SpfDns dns, String receiver) {
        this.dns = dns;
        this.receiver = receiver;
    }

    public SpfOutcome check(InetAddress ip, String sender, String helo) {
        int at = sender.lastIndexOf('@');
        String local = at <= 0 ? "postmaster" : sender.substring(0, at);
        String domain = at < 0 ? sender : sender.substring(at + 1);
        Evaluation evaluation = new Evaluation(dns, new MacroValues(dns, ip, local, domain, helo, receiver));
        if (!DomainNames.isValid(domain)) {
            return SpfOutcome.of(SpfResult.NONE);
        }
        try {
            return evaluation.checkHost(domain);
        } catch (SpfAbort abort) {
            return SpfOutcome.of(abort);
        }
    }

    /** One {@code check_host()} with its includes and redirects: the shared limits of section 4.6.4. */
    private static final class Evaluation {
        private static final int TERM_LIMIT = 10;
        private static final int VOID_LIMIT = 2;
        private static final int NAME_LIMIT = 10;

        private final SpfDns dns;
        private final MacroValues values;
        private int terms;
        private int voids;

        Evaluation(SpfDns dns, MacroValues values) {
            this.dns = dns;
            this.values = values;
        }

        SpfOutcome checkHost(String domain) throws SpfAbort {
            Optional<SpfRecord> found = select(domain);
            if (found.isEmpty()) {
                return SpfOutcome.of(SpfResult.NONE);
            }
            SpfRecord record = found.get();
            MacroValues.Scope scope = values.at(domain);
            for (Directive directive : record.directives()) {
                if (directive.mechanism().queriesDns()) {
                    countTerm();
                }
                if (matches(directive.mechanism(), scope)) {
                    return directive.qualifier() == SpfResult.FAIL
                        ? SpfOutcome.fail(explanation(record, scope))
                        : SpfOutcome.of(directive.qualifier());
                }
            }
            if (record.redirect().isPresent()) {
                countTerm();
                String target = expandDomain(record.redirect().get(), scope);
                SpfOutcome redirected = DomainNames.isValid(target) ? checkHost(target) : SpfOutcome.of(SpfResult.NONE);
                if (redirected.result() == SpfResult.NONE) {
                    throw SpfAbort.permerror("redirect to " + target + ", which has no SPF record");
                }
                return redirected;
            }
            return SpfOutcome.of(SpfResult.NEUTRAL);
        }

        /** Sections 4.4 and 4.5: the TXT records starting "v=spf1"; none is none, several are permerror. */
        private Optional<SpfRecord> select(String domain) throws SpfAbort {
            Answer<String> txt = dns.txt(domain);
            if (txt.error().isPresent()) {
                throw SpfAbort.temperror("TXT " + domain + ": " + txt.error().get());
            }
            List<String> spf = txt.records().stream().filter(SpfRecordParser::isSpfRecord).toList();
            if (spf.size() > 1) {
                throw SpfAbort.permerror(domain + " has " + spf.size() + " SPF records");
            }
            return spf.isEmpty() ? Optional.empty() : Optional.of(SpfRecordParser.parse(spf.get(0)));
        }

        private boolean matches(SpfRecord.Mechanism mechanism, MacroValues.Scope scope) throws SpfAbort {
            InetAddress ip = values.ip();
            if (mechanism instanceof SpfRecord.Ip range) {
                return Addresses.inNetwork(ip, range.network(), range.prefix());
            } else if (mechanism instanceof SpfRecord.Include include) {
                return include(expandDomain(include.domainSpec(), scope));
            } else if (mechanism instanceof SpfRecord.A a) {
                return anyAddressMatches(List.of(target(a.domainSpec(), scope)), a.cidr4(), a.cidr6());
            } else if (mechanism instanceof SpfRecord.Mx mx) {
                return anyAddressMatches(mxNames(target(mx.domainSpec(), scope)), mx.cidr4(), mx.cidr6());
            } else if (mechanism instanceof SpfRecord.Ptr ptr) {
                return ptr(target(ptr.domainSpec(), scope));
            } else if (mechanism instanceof SpfRecord.Exists exists) {
                return exists(expandDomain(exists.domainSpec(), scope));
            }
            return mechanism instanceof SpfRecord.All;
        }

        /** Section 5.2: pass matches; fail, softfail and neutral do not; none and permerror are permerror. */
        private boolean include(String target) throws SpfAbort {
            SpfResult result = DomainNames.isValid(target) ? checkHost(target).result() : SpfResult.NONE;
            return switch (result) {
                case PASS -> true;
                case FAIL, SOFTFAIL, NEUTRAL -> false;
                case TEMPERROR -> throw SpfAbort.temperror("include:" + target);
                case NONE, PERMERROR -> throw SpfAbort.permerror("include:" + target + " gave " + result.text());
            };
        }

        /** Section 5.4: at most 10 MX names, or permerror (4.6.4). */
        private List<String> mxNames(String domain) throws SpfAbort {
            List<String> names = lookup(dns.mx(domain), "MX " + domain);
            if (names.size() > NAME_LIMIT) {
                throw SpfAbort.permerror("MX " + domain + ": more than " + NAME_LIMIT + " names");
            }
            return names;
        }

        /**
         * Sections 5.3 and 5.4: an address of one of the names, in the CIDR length of the client's family. A name that
         * cannot exist (a null MX, RFC 7505; a macro that expanded to one label) has no address.
         */
        private boolean anyAddressMatches(List<String> names, int cidr4, int cidr6) throws SpfAbort {
            InetAddress ip = values.ip();
            boolean v4 = ip instanceof Inet4Address;
            for (String name : names) {
                if (!DomainNames.isValid(name)) {
                    continue;
                }
                List<InetAddress> addresses = lookup(v4 ? dns.a(name) : dns.aaaa(name), (v4 ? "A " : "AAAA ") + name);
                for (InetAddress address : addresses) {
                    if (Addresses.inNetwork(ip, address, v4 ? cidr4 : cidr6)) {
                        return true;
                    }
                }
            }
            return false;
        }

        /** Section 5.5: a validated name of the client (at most 10 PTR names) that is the target or under it. */
        private boolean ptr(String target) throws SpfAbort {
            Answer<String> names = dns.ptr(values.ip());
            if (names.error().isPresent()) {
                return false;
            }
            countVoid(names);
            return values.validatedNames(names.records(), NAME_LIMIT).stream()
                .anyMatch(name -> DomainNames.isSameOrUnder(name, target));
        }

        /** Section 5.7: an A lookup, whatever the client's address family. */
        private boolean exists(String domain) throws SpfAbort {
            return !lookup(dns.a(domain), "A " + domain).isEmpty();
        }

        private <T> List<T> lookup(Answer<T> answer, String what) throws SpfAbort {
            if (answer.error().isPresent()) {
                throw SpfAbort.temperror(what + ": " + answer.error().get());
            }
            countVoid(answer);
            return answer.records();
        }

        private void countVoid(Answer<?> answer) throws SpfAbort {
            if (answer.isVoid() && ++voids > VOID_LIMIT) {
                throw SpfAbort.permerror("more than " + VOID_LIMIT + " void lookups");
            }
        }

        private void countTerm() throws SpfAbort {
            if (++terms > TERM_LIMIT) {
                throw SpfAbort.permerror("more than " + TERM_LIMIT + " DNS-querying terms");
            }
        }

        private String target(Optional<String> domainSpec, MacroValues.Scope scope) throws SpfAbort {
            return domainSpec.isEmpty() ? scope.domain() : expandDomain(domainSpec.get(), scope);
        }

        private String expandDomain(String spec, MacroValues.Scope scope) throws SpfAbort {
            return DomainNames.truncate(MacroExpander.expand(spec, scope, false));
        }

        /**
         * Section 6.2: the expanded TXT record of the {@code exp} domain; none when it cannot be had (a failed
         * lookup, no record or several, a syntax error in it).
         */
        private Optional<String> explanation(SpfRecord record, MacroValues.Scope scope) {
            if (record.exp().isEmpty()) {
                return Optional.empty();
            }
            try {
                String domain = expandDomain(record.exp().get(), scope);
                Answer<String> txt = dns.txt(domain);
                if (txt.error().isPresent() || txt.records().size() != 1) {
                    return Optional.empty();
                }
                return Optional.of(MacroExpander.expand(txt.records().get(0), scope, true));
            } catch (SpfAbort e) {
                return Optional.empty();
            }
        }
    }
}
