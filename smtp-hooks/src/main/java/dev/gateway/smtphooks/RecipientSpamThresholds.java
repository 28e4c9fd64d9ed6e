package dev.gateway.smtphooks;

import java.io.IOException;
import java.io.InputStream;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.mail.internet.AddressException;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;

/**
 * Spam thresholds per recipient: an override for the recipient's address beats one for its domain, which beats the
 * listener's own thresholds, threshold by threshold (an override that sets only {@code quarantine} keeps the tag and
 * reject thresholds of the level below). Addresses and domains compare in lower case. Read from a file like:
 *
 * <pre>{@code
 * <thresholds>
 *     <domain name="strict.example" quarantine="5.0" reject="8.0"/>
 *     <user address="ceo@example.com" tag="3.0" reject="off"/>
 * </thresholds>
 * }</pre>
 *
 * Every entry is checked when the file is read: a bad one is refused with a message that names it.
 */
final class RecipientSpamThresholds {

    static final String ROOT = "thresholds";
    private static final Set<String> THRESHOLD_NAMES = Set.of("tag", "quarantine", "reject");
    private static final List<String> ATTRIBUTE_ORDER = List.of("name", "address", "tag", "quarantine", "reject");

    /** The thresholds one entry sets; an empty one inherits. */
    record PartialThresholds(Optional<Double> tag, Optional<Double> quarantine, Optional<Double> reject) {

        SpamThresholds over(SpamThresholds base) {
            return new SpamThresholds(tag.orElse(base.tag()), quarantine.orElse(base.quarantine()), reject.orElse(base.reject()));
        }
    }

    private final SpamThresholds defaults;
    private final Map<Domain, PartialThresholds> domains;
    private final Map<String, PartialThresholds> users;
    private final String source;

    private RecipientSpamThresholds(SpamThresholds defaults, Map<Domain, PartialThresholds> domains,
                                    Map<String, PartialThresholds> users, String source) {
        this.defaults = defaults;
        this.source = source;
        this.domains = Map.copyOf(domains);
        this.users = Map.copyOf(users);
    }

    /** No overrides: every recipient gets the defaults. */
    static RecipientSpamThresholds uniform(SpamThresholds defaults) {
        return new RecipientSpamThresholds(defaults, Map.of(), Map.of(), "");
    }

    SpamThresholds forRecipient(MailAddress recipient) {
        SpamThresholds thresholds = defaults;
        PartialThresholds domain = domains.get(recipient.getDomain());
        if (domain != null) {
            thresholds = domain.over(thresholds);
        }
        PartialThresholds user = users.get(recipient.asString().toLowerCase(Locale.ROOT));
        if (user != null) {
            thresholds = user.over(thresholds);
        }
        return thresholds;
    }

    SpamThresholds defaults() {
        return defaults;
    }

    /** The same overrides over another listener's thresholds: a cluster's shared overrides serve every listener. */
    RecipientSpamThresholds withDefaults(SpamThresholds listener) {
        return listener.equals(defaults) ? this : new RecipientSpamThresholds(listener, domains, users, source);
    }

    int domainCount() {
        return domains.size();
    }

    int userCount() {
        return users.size();
    }

    /**
     * Reads overrides from an XML document whose root is {@code <thresholds>}.
     *
     * @param source names the file in error messages
     */
    static RecipientSpamThresholds read(SpamThresholds defaults, InputStream in, String source) throws ConfigurationException {
        XMLConfiguration xml = new XMLConfiguration();
        try {
            new FileHandler(xml).load(in);
        } catch (ConfigurationException e) {
            throw new ConfigurationException(source + ": not a well-formed XML document: " + e.getMessage(), e);
        }
        ImmutableNode root = xml.getNodeModel().getNodeHandler().getRootNode();
        if (!ROOT.equals(root.getNodeName())) {
            throw new ConfigurationException(source + ": the root element must be <" + ROOT + ">, not <" + root.getNodeName() + ">");
        }
        Map<Domain, PartialThresholds> domains = new HashMap<>();
        Map<String, PartialThresholds> users = new HashMap<>();
        for (ImmutableNode entry : root.getChildren()) {
            String description = describe(entry);
            try {
                switch (entry.getNodeName()) {
                    case "domain" -> {
                        PartialThresholds override = override(entry, "name");
                        Domain domain = domain(required(entry, "name"));
                        if (domains.put(domain, override) != null) {
                            throw new IllegalArgumentException("the domain " + domain.asString() + " is listed twice");
                        }
                    }
                    case "user" -> {
                        PartialThresholds override = override(entry, "address");
                        String address = address(required(entry, "address"));
                        if (users.put(address, override) != null) {
                            throw new IllegalArgumentException("the address " + address + " is listed twice");
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown element, expected <domain name=...> or <user address=...>");
                }
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException(source + ": " + description + ": " + e.getMessage(), e);
            }
        }
        return new RecipientSpamThresholds(defaults, domains, users, source);
    }

    private static PartialThresholds override(ImmutableNode entry, String key) {
        for (String attribute : entry.getAttributes().keySet()) {
            if (!attribute.equals(key) && !THRESHOLD_NAMES.contains(attribute)) {
                throw new IllegalArgumentException("unknown attribute " + attribute + ", expected " + key + ", tag, quarantine or reject");
            }
        }
        if (!entry.getChildren().isEmpty() || entry.getValue() != null && !entry.getValue().toString().isBlank()) {
            throw new IllegalArgumentException("thresholds are attributes, the element must be empty");
        }
        PartialThresholds override = new PartialThresholds(threshold(entry, "tag"), threshold(entry, "quarantine"), threshold(entry, "reject"));
        if (override.tag().isEmpty() && override.quarantine().isEmpty() && override.reject().isEmpty()) {
            throw new IllegalArgumentException("sets no threshold (tag, quarantine or reject)");
        }
        return override;
    }

    private static Optional<Double> threshold(ImmutableNode entry, String name) {
        Object value = entry.getAttributes().get(name);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(SpamThresholds.parse(value.toString()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " '" + value + "' is neither a number nor off");
        }
    }

    private static String required(ImmutableNode entry, String attribute) {
        Object value = entry.getAttributes().get(attribute);
        if (value == null || value.toString().isBlank()) {
            throw new IllegalArgumentException("the attribute " + attribute + " is missing");
        }
        return value.toString().trim();
    }

    private static Domain domain(String name) {
        if (name.contains("@")) {
            throw new IllegalArgumentException("'" + name + "' is an address: use <user address=...>");
        }
        try {
            return Domain.of(name.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + name + "' is not a domain: " + e.getMessage());
        }
    }

    private static String address(String address) {
        try {
            return new MailAddress(address).asString().toLowerCase(Locale.ROOT);
        } catch (AddressException e) {
            throw new IllegalArgumentException("'" + address + "' is not a mail address: " + e.getMessage());
        }
    }

    /**
     * How an entry reads in the file, for error messages: {@code <user address="x@y" quarantine="abc">}. The parser
     * keeps no attribute order, so this one is fixed: the name, the thresholds, then anything else alphabetically.
     */
    private static String describe(ImmutableNode entry) {
        StringBuilder text = new StringBuilder("<").append(entry.getNodeName());
        entry.getAttributes().entrySet().stream()
            .sorted(Comparator.comparing((Map.Entry<String, Object> attribute) -> ATTRIBUTE_ORDER.indexOf(attribute.getKey()) < 0)
                .thenComparing(attribute -> ATTRIBUTE_ORDER.indexOf(attribute.getKey()))
                .thenComparing(Map.Entry::getKey))
            .forEach(attribute -> text.append(' ').append(attribute.getKey()).append("=\"").append(attribute.getValue()).append('"'));
        return text.append('>').toString();
    }

    @Override
    public String toString() {
        return source.isEmpty() ? "thresholds " + defaults + " for every recipient"
            : "thresholds " + defaults + ", " + domains.size() + " domain and " + users.size() + " address override(s) from " + source;
    }
}
