package dev.gateway.routing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;
import org.apache.james.util.DurationParser;
import org.apache.james.util.Size;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Reads a routing table from YAML and validates every part of it, so that a table either loads whole or is refused
 * with the line and the problem. The schema is documented in docs/routing.md.
 *
 * <p>Smarthost passwords are read here, from the environment variable or file the table names: a table whose
 * secret is missing is refused (the message names the variable or file, never a value).
 */
public final class RoutingTableParser {

    static final List<String> DEFAULT_RETRY_DELAYS = List.of("5 minutes", "15 minutes", "1 hour", "4 hours", "6*12 hours");
    static final int DEFAULT_MAX_RETRIES = 10;
    private static final Pattern SMARTHOST_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern HEADER_NAME = Pattern.compile("[!-9;-~]+");

    private final ObjectMapper mapper = new ObjectMapper(new YAMLFactory())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private final Function<String, Optional<String>> environment;
    private final Path baseDirectory;

    /**
     * @param environment looks up environment variables (smarthost passwords)
     * @param baseDirectory what a relative {@code password-file} is relative to (the table's folder)
     */
    public RoutingTableParser(Function<String, Optional<String>> environment, Path baseDirectory) {
        this.environment = environment;
        this.baseDirectory = baseDirectory;
    }

    /** The parser of the running server: real environment variables. */
    public static RoutingTableParser forServer(Path tableFile) {
        return new RoutingTableParser(name -> Optional.ofNullable(System.getenv(name)),
            tableFile.toAbsolutePath().getParent());
    }

    public RoutingTable parse(String yaml) throws RoutingTableException {
        if (yaml.isBlank()) {
            return RoutingTable.EMPTY;
        }
        TableSpec spec;
        try {
            spec = mapper.readValue(yaml, TableSpec.class);
        } catch (UnrecognizedPropertyException e) {
            throw new RoutingTableException(keyLine(yaml, e.getPropertyName(), line(e)), "unknown field '" + e.getPropertyName() + "' (known: "
                + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")) + ")");
        } catch (JsonProcessingException e) {
            throw new RoutingTableException(line(e), e.getOriginalMessage().lines().findFirst().orElse("not valid YAML"));
        }
        if (spec == null) {
            return RoutingTable.EMPTY;
        }
        if (spec.version() != null && spec.version() != 1) {
            throw new RoutingTableException(1, "version " + spec.version() + " is not supported (only 1)");
        }
        Map<String, Smarthost> smarthosts = new LinkedHashMap<>();
        for (Map.Entry<String, TableSpec.SmarthostSpec> entry : Optional.ofNullable(spec.smarthosts()).orElse(Map.of()).entrySet()) {
            smarthosts.put(entry.getKey(), smarthost(entry.getKey(), entry.getValue()));
        }
        List<Rule> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<TableSpec.RuleSpec> ruleSpecs = Optional.ofNullable(spec.rules()).orElse(List.of());
        for (int index = 0; index < ruleSpecs.size(); index++) {
            Rule rule = rule(index + 1, ruleSpecs.get(index), smarthosts);
            if (!names.add(rule.name())) {
                throw new RoutingTableException(rule.line(), "rule name '" + rule.name() + "' is used twice");
            }
            rules.add(rule);
        }
        return new RoutingTable(smarthosts, rules);
    }

    /**
     * Jackson reports an unknown key after it has read the key's value; the key itself is on the last line up to
     * there that names it.
     */
    private static int keyLine(String yaml, String key, int reported) {
        List<String> lines = yaml.lines().toList();
        Pattern named = Pattern.compile("(^|[\\s{,-])" + Pattern.quote(key) + "\\s*:");
        for (int index = Math.min(reported, lines.size()) - 1; index >= 0; index--) {
            if (named.matcher(lines.get(index)).find()) {
                return index + 1;
            }
        }
        return reported;
    }

    /** The line of the token the parser stopped at (the YAML parser's own location already looks one event ahead). */
    private static int line(JsonProcessingException e) {
        if (e.getProcessor() instanceof JsonParser parser && parser.currentTokenLocation() != null
                && parser.currentTokenLocation().getLineNr() > 0) {
            return parser.currentTokenLocation().getLineNr();
        }
        return e.getLocation() == null ? 0 : e.getLocation().getLineNr();
    }

    private Smarthost smarthost(String name, TableSpec.SmarthostSpec located) throws RoutingTableException {
        int line = located.line();
        TableSpec.SmarthostBody body = located.body();
        try {
            if (!SMARTHOST_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("smarthost name '" + name + "' may only use letters, digits, '-' and '_'");
            }
            if (body == null) {
                throw new IllegalArgumentException("smarthost '" + name + "' is empty: it needs at least a host");
            }
            if (body.host() == null || body.host().isBlank()) {
                throw new IllegalArgumentException("smarthost '" + name + "' needs a host");
            }
            Smarthost.Tls tls = Smarthost.Tls.parse(Optional.ofNullable(body.tls()).orElse("starttls-required"));
            int port = Optional.ofNullable(body.port()).orElse(tls.defaultPort());
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("smarthost '" + name + "' port " + port + " is out of range");
            }
            Optional<Smarthost.Credentials> credentials = body.auth() == null ? Optional.empty()
                : Optional.of(credentials(name, body.auth()));
            List<String> delays = Optional.ofNullable(body.retry()).map(TableSpec.RetrySpec::delays).orElse(DEFAULT_RETRY_DELAYS);
            delays.forEach(RoutingTableParser::checkDelay);
            int maxRetries = Optional.ofNullable(body.retry()).map(TableSpec.RetrySpec::maxRetries).orElse(DEFAULT_MAX_RETRIES);
            if (maxRetries < 0 || delays.isEmpty()) {
                throw new IllegalArgumentException("smarthost '" + name + "' needs max-retries >= 0 and at least one delay");
            }
            return new Smarthost(name, body.host().trim(), port, tls,
                Optional.ofNullable(body.verifyCertificate()).orElse(true), credentials, delays, maxRetries, line);
        } catch (IllegalArgumentException e) {
            throw new RoutingTableException(line, e.getMessage());
        }
    }

    private Smarthost.Credentials credentials(String name, TableSpec.AuthSpec auth) {
        if (auth.username() == null || auth.username().isBlank()) {
            throw new IllegalArgumentException("smarthost '" + name + "' auth needs a username");
        }
        if ((auth.passwordEnv() == null) == (auth.passwordFile() == null)) {
            throw new IllegalArgumentException("smarthost '" + name + "' auth needs exactly one of password-env and password-file");
        }
        if (auth.passwordEnv() != null && auth.passwordEnv().startsWith("GATEWAY_")) {
            // bin/gateway records every GATEWAY_* variable for 'status': a password must not be one of them.
            throw new IllegalArgumentException("smarthost '" + name + "': password-env must not start with GATEWAY_ "
                + "(the launcher records those variables); use e.g. SMARTHOST_" + name.toUpperCase(Locale.ROOT).replace('-', '_')
                + "_PASSWORD");
        }
        String password;
        if (auth.passwordEnv() != null) {
            password = environment.apply(auth.passwordEnv())
                .orElseThrow(() -> new IllegalArgumentException("smarthost '" + name + "': environment variable "
                    + auth.passwordEnv() + " (password-env) is not set"));
        } else {
            Path file = baseDirectory.resolve(auth.passwordFile());
            try {
                password = Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalArgumentException("smarthost '" + name + "': password-file " + file + " cannot be read ("
                    + e.getClass().getSimpleName() + ")");
            }
        }
        if (password.isEmpty()) {
            throw new IllegalArgumentException("smarthost '" + name + "': the password is empty");
        }
        return new Smarthost.Credentials(auth.username().trim(), new Smarthost.Secret(password));
    }

    /** The delay syntax of James's RemoteDelivery: an optional {@code attempts*} before a duration. */
    private static void checkDelay(String delay) {
        if (delay == null) {
            throw new IllegalArgumentException("a retry delay is empty: write a duration such as '5 minutes' or '3*1 hour'");
        }
        String duration = delay.contains("*") ? delay.substring(delay.indexOf('*') + 1) : delay;
        try {
            if (delay.contains("*")) {
                Integer.parseUnsignedInt(delay.substring(0, delay.indexOf('*')).trim());
            }
            DurationParser.parse(duration.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("retry delay '" + delay + "' is not a duration such as '5 minutes' or '3*1 hour'");
        }
    }

    private Rule rule(int position, TableSpec.RuleSpec located, Map<String, Smarthost> smarthosts) throws RoutingTableException {
        TableSpec.RuleBody body = located.body();
        if (body == null) {
            throw new RoutingTableException(located.line(), "rule #" + position + " is empty: it needs at least an action");
        }
        String name = Optional.ofNullable(body.name()).map(String::trim).filter(text -> !text.isEmpty()).orElse("#" + position);
        try {
            Action action = action(name, body, smarthosts);
            boolean continues = Optional.ofNullable(body.continues()).orElse(!action.kind().terminal());
            if (continues && action.kind().terminal()) {
                throw new IllegalArgumentException("rule '" + name + "': continue is only allowed with action copy or none, not "
                    + action.kind().written());
            }
            Map<String, String> addHeaders = Optional.ofNullable(body.addHeaders()).orElse(Map.of());
            addHeaders.forEach((header, value) -> {
                checkHeaderName(header);
                if (value == null || value.chars().anyMatch(c -> c == '\r' || c == '\n')) {
                    throw new IllegalArgumentException("add-headers value of " + header + " must be one line of text");
                }
            });
            List<String> removeHeaders = Optional.ofNullable(body.removeHeaders()).orElse(List.of());
            removeHeaders.forEach(RoutingTableParser::checkHeaderName);
            return new Rule(name, located.line(), conditions(body.when()), action, addHeaders, removeHeaders, continues);
        } catch (IllegalArgumentException e) {
            throw new RoutingTableException(located.line(), e.getMessage());
        }
    }

    private static Action action(String name, TableSpec.RuleBody body, Map<String, Smarthost> smarthosts) {
        if (body.action() == null) {
            throw new IllegalArgumentException("rule '" + name + "' needs an action: deliver, relay, redirect, copy, "
                + "quarantine, reject, stop or none");
        }
        Action.Kind kind;
        try {
            kind = Action.Kind.valueOf(body.action().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            kind = Action.Kind.DEFAULT;
        }
        if (kind == Action.Kind.DEFAULT) {
            throw new IllegalArgumentException("rule '" + name + "': action '" + body.action() + "' is not one of deliver, "
                + "relay, redirect, copy, quarantine, reject, stop, none");
        }
        requireOnlyFor(name, "smarthost", body.smarthost(), kind == Action.Kind.RELAY);
        requireOnlyFor(name, "address", body.address(), kind == Action.Kind.REDIRECT || kind == Action.Kind.COPY);
        if (body.reply() != null && kind != Action.Kind.REJECT) {
            throw new IllegalArgumentException("rule '" + name + "': reply is only for action reject");
        }
        Optional<String> smarthost = Optional.ofNullable(body.smarthost()).map(String::trim);
        if (smarthost.isPresent() && !smarthosts.containsKey(smarthost.get())) {
            throw new IllegalArgumentException("rule '" + name + "': smarthost '" + smarthost.get() + "' is not defined"
                + (smarthosts.isEmpty() ? " (the table has no smarthosts)" : " (defined: " + String.join(", ", smarthosts.keySet()) + ")"));
        }
        Optional<MailAddress> address = Optional.ofNullable(body.address()).map(RoutingTableParser::address);
        Optional<Reply> reply = kind == Action.Kind.REJECT
            ? Optional.of(Reply.parse(Optional.ofNullable(body.reply()).orElse("550 5.7.1 Refused by policy")))
            : Optional.empty();
        return new Action(kind, smarthost, address, reply);
    }

    private static void requireOnlyFor(String name, String field, String value, boolean needed) {
        if (needed && (value == null || value.isBlank())) {
            throw new IllegalArgumentException("rule '" + name + "' needs " + field + " for its action");
        }
        if (!needed && value != null) {
            throw new IllegalArgumentException("rule '" + name + "': " + field + " does not go with its action");
        }
    }

    private static List<Condition> conditions(TableSpec.WhenSpec when) {
        List<Condition> conditions = new ArrayList<>();
        if (when == null) {
            return conditions;
        }
        if (when.recipient() != null) {
            conditions.add(Condition.recipients(addresses(when.recipient())));
        }
        if (when.recipientDomain() != null) {
            conditions.add(Condition.recipientDomains(domains(when.recipientDomain())));
        }
        if (when.recipientRegex() != null) {
            conditions.add(Condition.recipientRegex(regex("recipient-regex", when.recipientRegex())));
        }
        if (when.sender() != null) {
            conditions.add(Condition.senders(addresses(when.sender())));
        }
        if (when.senderDomain() != null) {
            conditions.add(Condition.senderDomains(domains(when.senderDomain())));
        }
        if (when.senderRegex() != null) {
            conditions.add(Condition.senderRegex(regex("sender-regex", when.senderRegex())));
        }
        if (when.header() != null) {
            Map<String, Pattern> patterns = new LinkedHashMap<>();
            when.header().forEach((header, pattern) -> {
                checkHeaderName(header);
                patterns.put(header, regex("header " + header, pattern));
            });
            conditions.add(Condition.headers(patterns));
        }
        if (when.authenticated() != null) {
            conditions.add(Condition.authenticated(when.authenticated()));
        }
        if (when.sizeOver() != null) {
            conditions.add(Condition.sizeOver(size("size-over", when.sizeOver()), when.sizeOver()));
        }
        if (when.sizeUnder() != null) {
            conditions.add(Condition.sizeUnder(size("size-under", when.sizeUnder()), when.sizeUnder()));
        }
        if (when.spamScoreAtLeast() != null) {
            conditions.add(Condition.spamScoreAtLeast(when.spamScoreAtLeast()));
        }
        if (when.spamScoreBelow() != null) {
            conditions.add(Condition.spamScoreBelow(when.spamScoreBelow()));
        }
        if (when.sourceNetwork() != null) {
            conditions.add(Condition.sourceNetworks(nonEmpty("source-network", when.sourceNetwork()).stream().map(Network::parse).toList()));
        }
        authenticationResults(AuthenticationMethod.SPF, when.spf()).ifPresent(conditions::add);
        authenticationResults(AuthenticationMethod.DKIM, when.dkim()).ifPresent(conditions::add);
        authenticationResults(AuthenticationMethod.DMARC, when.dmarc()).ifPresent(conditions::add);
        return conditions;
    }

    private static Optional<Condition> authenticationResults(AuthenticationMethod method, List<String> written) {
        return Optional.ofNullable(written).map(results -> Condition.authenticationResult(method,
            nonEmpty(method.key(), results).stream().map(method::result).collect(Collectors.toUnmodifiableSet())));
    }

    private static Set<String> addresses(List<String> written) {
        return nonEmpty("address list", written).stream()
            .map(text -> address(text).asString().toLowerCase(Locale.ROOT))
            .collect(Collectors.toUnmodifiableSet());
    }

    private static Set<String> domains(List<String> written) {
        return nonEmpty("domain list", written).stream()
            .map(domain -> domain.trim().toLowerCase(Locale.ROOT))
            .peek(domain -> {
                if (domain.isEmpty() || domain.contains("@") || domain.contains(" ")) {
                    throw new IllegalArgumentException("'" + domain + "' is not a domain");
                }
            })
            .collect(Collectors.toUnmodifiableSet());
    }

    private static <T> List<T> nonEmpty(String what, List<T> list) {
        if (list.isEmpty() || list.contains(null)) {
            throw new IllegalArgumentException(what + " must not be empty nor contain empty entries");
        }
        return list;
    }

    private static MailAddress address(String text) {
        try {
            return new MailAddress(text.trim());
        } catch (AddressException e) {
            throw new IllegalArgumentException("'" + text + "' is not a mail address");
        }
    }

    private static Pattern regex(String what, String pattern) {
        if (pattern == null) {
            throw new IllegalArgumentException(what + " is empty: it needs a regular expression");
        }
        try {
            return Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(what + ": '" + pattern + "' is not a valid regular expression ("
                + e.getDescription() + ")");
        }
    }

    private static long size(String what, String written) {
        try {
            return Size.parse(written.trim()).asBytes();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(what + ": '" + written + "' is not a size such as 500K or 10M");
        }
    }

    private static void checkHeaderName(String name) {
        if (name == null || !HEADER_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a header name");
        }
    }
}
