package dev.gateway.smtphooks;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.apache.commons.configuration2.Configuration;
import com.google.common.net.InetAddresses;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HeloHook;
import org.apache.james.protocols.smtp.hook.HookResult;

/**
 * Checks the name a client gives in HELO/EHLO, as Postfix's {@code reject_invalid_helo_hostname},
 * {@code reject_non_fqdn_helo_hostname} and Haraka's {@code helo.checks} do. Each check is chosen by name; none is on
 * by default. Trusted networks are not checked.
 *
 * <ul>
 * <li>{@code syntax}: a domain name (letters, digits, hyphens, labels of 1 to 63 characters) or an address literal
 * ({@code [192.0.2.1]}, {@code [IPv6:2001:db8::1]}); a bare IP address is not a name. {@code 501 5.5.2}.</li>
 * <li>{@code fqdn}: a name with a dot in it (or an address literal). {@code 504 5.5.2}.</li>
 * <li>{@code literal}: an address literal must be the client's own address. {@code 550 5.7.1}.</li>
 * <li>{@code our-name}: a stranger claiming to be us (this listener's hello name or one of {@code ourNames}).
 * {@code 550 5.7.1}.</li>
 * </ul>
 *
 * <pre>{@code
 * <handler class="dev.gateway.smtphooks.CheckHeloName">
 *     <checks>syntax, literal, our-name</checks>   <!-- default: none -->
 *     <ourNames>mx1.example.com, example.com</ourNames>   <!-- besides the listener's helloName -->
 * </handler>
 * }</pre>
 */
public class CheckHeloName implements HeloHook {

    enum Check {
        SYNTAX, FQDN, LITERAL, OUR_NAME;

        static Check named(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("CheckHeloName: unknown check " + name
                    + " (syntax, fqdn, literal, our-name)");
            }
        }
    }

    /** Settings read once from the handler element. */
    record Settings(Set<Check> checks, Set<String> ourNames) {
        static Settings from(Configuration configuration) {
            Set<Check> checks = EnumSet.noneOf(Check.class);
            words(configuration.getString("checks", "")).forEach(name -> checks.add(Check.named(name)));
            return new Settings(Set.copyOf(checks), words(configuration.getString("ourNames", "")).stream()
                .map(name -> name.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet()));
        }

        private static Set<String> words(String list) {
            return Arrays.stream(list.split("[,\\s]+")).filter(word -> !word.isBlank()).collect(Collectors.toSet());
        }
    }

    private final FrontDoorRefusals refusals;
    private Settings settings = new Settings(Set.of(), Set.of());

    @Inject
    public CheckHeloName(FrontDoorRefusals refusals) {
        this.refusals = refusals;
    }

    @Override
    public void init(Configuration configuration) {
        settings = Settings.from(configuration);
    }

    @Override
    public HookResult doHelo(SMTPSession session, String helo) {
        if (settings.checks().isEmpty() || session.isRelayingAllowed()) {
            return HookResult.DECLINED;
        }
        String name = helo == null ? "" : helo.trim();
        boolean literal = name.startsWith("[") && name.endsWith("]");
        if (settings.checks().contains(Check.SYNTAX) && !(literal ? literalAddress(name) != null : isDomainName(name))) {
            return refuse(session, name, "501", "5.5.2 <" + name + ">: Helo command rejected: Invalid name",
                "not a domain name or address literal");
        }
        if (settings.checks().contains(Check.FQDN) && !literal && !name.contains(".")) {
            return refuse(session, name, "504", "5.5.2 <" + name + ">: Helo command rejected: need fully-qualified hostname",
                "not fully qualified");
        }
        if (settings.checks().contains(Check.LITERAL) && literal) {
            InetAddress claimed = literalAddress(name);
            if (claimed != null && !claimed.equals(session.getRemoteAddress().getAddress())) {
                return refuse(session, name, "550", "5.7.1 <" + name + ">: Helo command rejected: not your address",
                    "address literal is not the client's address");
            }
        }
        if (settings.checks().contains(Check.OUR_NAME) && isOurName(session, name)) {
            return refuse(session, name, "550", "5.7.1 <" + name + ">: Helo command rejected: you are not me",
                "a stranger using our own name");
        }
        return HookResult.DECLINED;
    }

    private HookResult refuse(SMTPSession session, String name, String code, String description, String reason) {
        return refusals.refuse(session, "helo", code, description, "HELO " + name + ": " + reason);
    }

    private boolean isOurName(SMTPSession session, String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".")) {
            lower = lower.substring(0, lower.length() - 1);
        }
        String helloName = session.getConfiguration().getHelloName();
        return settings.ourNames().contains(lower) || (helloName != null && helloName.equalsIgnoreCase(lower));
    }

    static boolean isDomainName(String name) {
        String host = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (host.isEmpty() || host.length() > 253) {
            return false;
        }
        String[] labels = host.split("\\.", -1);
        for (String label : labels) {
            if (!label.matches("[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?")) {
                return false;
            }
        }
        // A bare IPv4 address reads as four numeric labels; RFC 5321 wants it bracketed.
        return !labels[labels.length - 1].matches("[0-9]+");
    }

    /** The address of a literal such as {@code [192.0.2.1]} or {@code [IPv6:2001:db8::1]}, or null when malformed. */
    static InetAddress literalAddress(String literal) {
        String inside = literal.substring(1, literal.length() - 1);
        boolean v6 = inside.regionMatches(true, 0, "IPv6:", 0, 5);
        String address = v6 ? inside.substring(5) : inside;
        // Parsed without any DNS lookup (InetAddress.getByName would ask the resolver for anything not a literal).
        if (!InetAddresses.isInetAddress(address) || v6 != address.contains(":")) {
            return null;
        }
        return InetAddresses.forString(address);
    }
}
