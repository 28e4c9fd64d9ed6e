package dev.gateway.authentication.spf;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.gateway.authentication.spf.SpfRecord.Directive;
import dev.gateway.authentication.spf.SpfRecord.Mechanism;

/**
 * Parses an SPF record by the ABNF of RFC 7208 section 12: terms separated by spaces (4.6.1), the mechanisms of
 * section 5 with their dual CIDR lengths (5.6), modifiers (6; {@code redirect} and {@code exp} at most once each,
 * section 6; unknown ones ignored but checked). Any syntax error anywhere in the record is a permerror before
 * anything is evaluated (section 4.6).
 */
final class SpfRecordParser {
    private static final Pattern VERSION = Pattern.compile("^v=spf1( .*)?$", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern MODIFIER = Pattern.compile("([A-Za-z][A-Za-z0-9_.-]*)=(.*)", Pattern.DOTALL);
    private static final Pattern MECHANISM = Pattern.compile("([A-Za-z][A-Za-z0-9_.-]*)(.*)", Pattern.DOTALL);
    private static final Pattern DUAL_CIDR = Pattern.compile("(?:/(0|[1-9][0-9]*))?(?://(0|[1-9][0-9]*))?$");
    private static final Pattern IP4 = Pattern.compile("(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}"
        + "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");
    /** An IPv6 address's characters (the address itself is checked by InetAddress); a colon is required. */
    private static final Pattern IP6 = Pattern.compile("[0-9A-Fa-f.]*+:[0-9A-Fa-f:.]*+");
    private static final Pattern CIDR = Pattern.compile("0|[1-9][0-9]*");

    private SpfRecordParser() {
    }

    /** Whether a TXT record is an SPF record at all (section 4.5): "v=spf1" alone or followed by a space. */
    static boolean isSpfRecord(String text) {
        return VERSION.matcher(text).matches();
    }

    static SpfRecord parse(String text) throws SpfAbort {
        if (!isSpfRecord(text)) {
            throw SpfAbort.permerror("not an SPF record: " + text);
        }
        List<Directive> directives = new ArrayList<>();
        Optional<String> redirect = Optional.empty();
        Optional<String> exp = Optional.empty();
        String[] terms = text.substring("v=spf1".length()).split(" ");
        for (String term : terms) {
            if (term.isEmpty()) {
                continue;
            }
            Matcher modifier = MODIFIER.matcher(term);
            if (modifier.matches()) {
                String name = modifier.group(1).toLowerCase(Locale.ROOT);
                String value = modifier.group(2);
                switch (name) {
                    case "redirect" -> {
                        if (redirect.isPresent()) {
                            throw SpfAbort.permerror("redirect twice");
                        }
                        redirect = Optional.of(domainSpec(value, term));
                    }
                    case "exp" -> {
                        if (exp.isPresent()) {
                            throw SpfAbort.permerror("exp twice");
                        }
                        exp = Optional.of(domainSpec(value, term));
                    }
                    default -> MacroExpander.check(value, false);
                }
                continue;
            }
            directives.add(directive(term));
        }
        return new SpfRecord(List.copyOf(directives), redirect, exp);
    }

    private static Directive directive(String term) throws SpfAbort {
        SpfResult qualifier = switch (term.charAt(0)) {
            case '+' -> SpfResult.PASS;
            case '-' -> SpfResult.FAIL;
            case '~' -> SpfResult.SOFTFAIL;
            case '?' -> SpfResult.NEUTRAL;
            default -> null;
        };
        String body = qualifier == null ? term : term.substring(1);
        Matcher matcher = MECHANISM.matcher(body);
        if (!matcher.matches()) {
            throw SpfAbort.permerror("not a term: " + term);
        }
        String name = matcher.group(1).toLowerCase(Locale.ROOT);
        String rest = matcher.group(2);
        return new Directive(qualifier == null ? SpfResult.PASS : qualifier, mechanism(name, rest, term));
    }

    private static Mechanism mechanism(String name, String rest, String term) throws SpfAbort {
        switch (name) {
            case "all":
                if (!rest.isEmpty()) {
                    throw SpfAbort.permerror("all takes no argument: " + term);
                }
                return new SpfRecord.All();
            case "include":
                return new SpfRecord.Include(domainSpec(argument(rest, term), term));
            case "exists":
                return new SpfRecord.Exists(domainSpec(argument(rest, term), term));
            case "ptr":
                return new SpfRecord.Ptr(rest.isEmpty() ? Optional.empty()
                    : Optional.of(domainSpec(argument(rest, term), term)));
            case "a":
            case "mx":
                return addressMechanism(name, rest, term);
            case "ip4":
                return ip(IP4, argument(rest, term), 32, term);
            case "ip6":
                return ip(IP6, argument(rest, term), 128, term);
            default:
                throw SpfAbort.permerror("unknown mechanism: " + term);
        }
    }

    /** {@code a} and {@code mx}: [":" domain-spec] [dual-cidr-length]. */
    private static Mechanism addressMechanism(String name, String rest, String term) throws SpfAbort {
        Matcher cidr = DUAL_CIDR.matcher(rest);
        cidr.find();
        String spec = rest.substring(0, cidr.start());
        int cidr4 = prefix(cidr.group(1), 32, term);
        int cidr6 = prefix(cidr.group(2), 128, term);
        Optional<String> domain = Optional.empty();
        if (!spec.isEmpty()) {
            if (!spec.startsWith(":")) {
                throw SpfAbort.permerror("bad " + name + " mechanism: " + term);
            }
            domain = Optional.of(domainSpec(spec.substring(1), term));
        }
        return name.equals("a") ? new SpfRecord.A(domain, cidr4, cidr6) : new SpfRecord.Mx(domain, cidr4, cidr6);
    }

    private static Mechanism ip(Pattern pattern, String value, int maxPrefix, String term) throws SpfAbort {
        int slash = value.indexOf('/');
        String address = slash < 0 ? value : value.substring(0, slash);
        String cidr = slash < 0 ? null : value.substring(slash + 1);
        if (!pattern.matcher(address).matches() || cidr != null && !CIDR.matcher(cidr).matches()) {
            throw SpfAbort.permerror("bad address in " + term);
        }
        InetAddress network;
        try {
            // Only literals get here (the patterns above): no name is ever resolved.
            network = InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw SpfAbort.permerror("bad address in " + term);
        }
        // Java reads ::ffff:1.2.3.4 as an IPv4 address; in ip6 it is an IPv6 network all the same.
        boolean v4 = maxPrefix == 32;
        if (v4 && !(network instanceof Inet4Address)) {
            throw SpfAbort.permerror("bad address in " + term);
        }
        if (!v4 && network instanceof Inet4Address mapped) {
            byte[] bytes = new byte[16];
            bytes[10] = (byte) 0xff;
            bytes[11] = (byte) 0xff;
            System.arraycopy(mapped.getAddress(), 0, bytes, 12, 4);
            try {
                network = Inet6Address.getByAddress(null, bytes, -1);
            } catch (UnknownHostException e) {
                throw SpfAbort.permerror("bad address in " + term);
            }
        }
        return new SpfRecord.Ip(network, prefix(cidr, maxPrefix, term));
    }

    private static int prefix(String digits, int max, String term) throws SpfAbort {
        if (digits == null) {
            return max;
        }
        int value = digits.length() > 3 ? Integer.MAX_VALUE : Integer.parseInt(digits);
        if (value > max) {
            throw SpfAbort.permerror("CIDR length over " + max + " in " + term);
        }
        return value;
    }

    private static String argument(String rest, String term) throws SpfAbort {
        if (!rest.startsWith(":") || rest.length() == 1) {
            throw SpfAbort.permerror("missing argument: " + term);
        }
        return rest.substring(1);
    }

    /**
     * domain-end = "." toplabel ["."]; toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" )
     * alphanum ): letters, digits and hyphens, no hyphen first or last, and a letter or a hyphen somewhere (so not all
     * digits). Checked by hand: a regular expression of it backtracks badly on long hostile labels.
     */
    private static boolean endsInTopLabel(String spec) {
        String name = spec.endsWith(".") ? spec.substring(0, spec.length() - 1) : spec;
        int dot = name.lastIndexOf('.');
        String label = name.substring(dot + 1);
        if (dot < 0 || label.isEmpty() || label.startsWith("-") || label.endsWith("-")) {
            return false;
        }
        boolean letterOrHyphen = false;
        for (char c : label.toCharArray()) {
            boolean letter = c < 0x80 && Character.isLetter(c);
            if (!letter && c != '-' && !(c >= '0' && c <= '9')) {
                return false;
            }
            letterOrHyphen |= letter || c == '-';
        }
        return letterOrHyphen;
    }

    /** A domain spec (section 7.1): a macro string ending in a macro or in "." toplabel. */
    private static String domainSpec(String spec, String term) throws SpfAbort {
        if (spec.isEmpty()) {
            throw SpfAbort.permerror("empty domain in " + term);
        }
        MacroExpander.check(spec, false);
        boolean endsInMacro = spec.endsWith("}") || spec.matches(".*%[%_-]");
        if (!endsInMacro && !endsInTopLabel(spec)) {
            throw SpfAbort.permerror("not a domain: " + spec + " in " + term);
        }
        return spec;
    }
}
