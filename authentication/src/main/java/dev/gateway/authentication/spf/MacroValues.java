package dev.gateway.authentication.spf;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The values of the macro letters (RFC 7208 section 7.3) for one evaluation; {@link Scope} adds {@code d}, the domain
 * whose record is being evaluated. {@code p} is looked up only when used, and is not counted toward the limits of
 * section 4.6.4 (pyspf does the same; section 7.3 discourages it).
 */
final class MacroValues {
    private final SpfDns dns;
    private final InetAddress ip;
    private final String local;
    private final String domain;
    private final String helo;
    private final String receiver;

    MacroValues(SpfDns dns, InetAddress ip, String local, String domain, String helo, String receiver) {
        this.dns = dns;
        this.ip = ip;
        this.local = local;
        this.domain = domain;
        this.helo = helo;
        this.receiver = receiver;
    }

    InetAddress ip() {
        return ip;
    }

    Scope at(String currentDomain) {
        return new Scope(currentDomain);
    }

    /**
     * Section 5.5: the PTR names (the first {@code limit}) that have an address equal to the client's. Lookups that
     * fail or answer nothing just leave a name out.
     */
    List<String> validatedNames(List<String> names, int limit) {
        List<String> validated = new ArrayList<>();
        boolean v4 = ip instanceof Inet4Address;
        for (String name : names.subList(0, Math.min(limit, names.size()))) {
            String bare = DomainNames.withoutDot(name);
            if ((v4 ? dns.a(bare) : dns.aaaa(bare)).records().contains(ip)) {
                validated.add(bare);
            }
        }
        return validated;
    }

    /** The letters with {@code d} bound to the domain being evaluated. */
    final class Scope implements MacroExpander.Values {
        private final String current;

        private Scope(String current) {
            this.current = current;
        }

        String domain() {
            return current;
        }

        @Override
        public String value(char letter) {
            return switch (letter) {
                case 's' -> local + "@" + domain;
                case 'l' -> local;
                case 'o' -> domain;
                case 'd' -> current;
                case 'i' -> Addresses.dotted(ip);
                case 'p' -> validatedName();
                case 'v' -> ip instanceof Inet4Address ? "in-addr" : "ip6";
                case 'h' -> helo;
                case 'c' -> com.google.common.net.InetAddresses.toAddrString(ip);
                case 'r' -> receiver;
                case 't' -> Long.toString(System.currentTimeMillis() / 1000);
                default -> throw new IllegalArgumentException("no macro " + letter);
            };
        }

        /** Section 7.3: a validated name equal to or under the domain if any, else any validated name, else "unknown". */
        private String validatedName() {
            var answer = dns.ptr(ip);
            List<String> names = validatedNames(answer.records(), 10);
            return names.stream().filter(name -> DomainNames.isSameOrUnder(name, current)).findFirst()
                .or(() -> names.stream().findFirst()).orElse("unknown");
        }
    }
}
