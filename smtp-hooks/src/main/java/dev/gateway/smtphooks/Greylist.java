package dev.gateway.smtphooks;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.commons.configuration2.Configuration;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.dnsservice.library.netmatcher.NetMatcher;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.apache.james.util.DurationParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Greylisting, as postgrey: the first try of a (client network, sender, recipient) triplet is refused with
 * {@code 451 4.7.1} and a retry hint; a retry after the delay and within the retry window passes, and the triplet then
 * passes at once for the pass lifetime. A client network whose triplets have passed {@code autoAllowlistAfter} times is
 * no longer greylisted. Real servers retry; most spam engines do not. The client network is the /24 (IPv4) or /64
 * (IPv6), because large senders retry from another address of the same pool. Trusted networks, authenticated clients,
 * the {@code neverNetworks} and senders of the {@code neverDomains} (and their subdomains) are never greylisted.
 *
 * <pre>{@code
 * <handler class="dev.gateway.smtphooks.Greylist">
 *     <enabled>true</enabled>                       <!-- default false -->
 *     <delay>5m</delay>                             <!-- default 5 minutes -->
 *     <retryWindow>2d</retryWindow>                 <!-- default 2 days -->
 *     <passLifetime>35d</passLifetime>              <!-- default 35 days -->
 *     <autoAllowlistAfter>5</autoAllowlistAfter>    <!-- default 5; 0: never -->
 *     <neverNetworks>192.0.2.0/24</neverNetworks>
 *     <neverDomains>gmail.com, outlook.com</neverDomains>
 * </handler>
 * }</pre>
 */
public class Greylist implements RcptHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(Greylist.class);

    /** Settings read once from the handler element. */
    record Settings(boolean enabled, Duration delay, Duration retryWindow, Duration passLifetime,
                    int autoAllowlistAfter, List<String> neverNetworks, List<String> neverDomains) {
        static Settings from(Configuration configuration) {
            Settings settings = new Settings(configuration.getBoolean("enabled", false),
                DurationParser.parse(configuration.getString("delay", "5m"), ChronoUnit.SECONDS),
                DurationParser.parse(configuration.getString("retryWindow", "2d"), ChronoUnit.SECONDS),
                DurationParser.parse(configuration.getString("passLifetime", "35d"), ChronoUnit.SECONDS),
                configuration.getInt("autoAllowlistAfter", 5),
                words(configuration.getString("neverNetworks", "")),
                words(configuration.getString("neverDomains", "")).stream()
                    .map(domain -> domain.toLowerCase(Locale.ROOT)).toList());
            if (settings.enabled && settings.retryWindow.compareTo(settings.delay) <= 0) {
                throw new IllegalArgumentException("Greylist: retryWindow " + settings.retryWindow
                    + " must be longer than delay " + settings.delay);
            }
            if (settings.autoAllowlistAfter < 0) {
                throw new IllegalArgumentException("Greylist: autoAllowlistAfter must be 0 or more");
            }
            return settings;
        }

        private static List<String> words(String list) {
            return Arrays.stream(list.split("[,\\s]+")).filter(word -> !word.isBlank()).toList();
        }
    }

    private final GreylistStore store;
    private final FrontDoorRefusals refusals;
    private final DNSService dns;
    private final Clock clock;
    private Settings settings;
    private Optional<NetMatcher> neverNetworks = Optional.empty();

    @Inject
    public Greylist(GreylistStore store, FrontDoorRefusals refusals, DNSService dns, Clock clock) {
        this.store = store;
        this.refusals = refusals;
        this.dns = dns;
        this.clock = clock;
    }

    @Override
    public void init(Configuration configuration) {
        settings = Settings.from(configuration);
        neverNetworks = settings.neverNetworks().isEmpty() ? Optional.empty()
            : Optional.of(new NetMatcher(settings.neverNetworks(), dns));
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        if (settings == null || !settings.enabled() || session.isRelayingAllowed() || session.getUsername() != null) {
            return HookResult.DECLINED;
        }
        InetAddress client = session.getRemoteAddress().getAddress();
        if (neverNetworks.map(matcher -> matcher.matchInetNetwork(client.getHostAddress())).orElse(false)
            || isNeverDomain(sender)) {
            return HookResult.DECLINED;
        }
        try {
            return judge(session, client, sender, rcpt);
        } catch (RuntimeException e) {
            // Greylisting only delays: when its store is down, mail goes on (the spam scan still runs).
            LOGGER.warn("greylist store unavailable, [{}] not greylisted", client.getHostAddress(), e);
            refusals.count("greylist_store_failed");
            return HookResult.DECLINED;
        }
    }

    private HookResult judge(SMTPSession session, InetAddress client, MaybeSender sender, MailAddress rcpt) {
        String network = network(client);
        if (settings.autoAllowlistAfter() > 0
            && store.passes(network, settings.autoAllowlistAfter()) >= settings.autoAllowlistAfter()) {
            return HookResult.DECLINED;
        }
        String key = network + " " + sender.asString().toLowerCase(Locale.ROOT) + " "
            + rcpt.asString().toLowerCase(Locale.ROOT);
        Instant now = clock.instant();
        Optional<GreylistStore.Triplet> seen = store.triplet(key);
        if (seen.isEmpty()) {
            store.firstTry(key, now, settings.retryWindow());
            return refuse(session, key, settings.delay(), "first try");
        }
        if (seen.get().passed()) {
            return HookResult.DECLINED;
        }
        Instant open = seen.get().firstTry().plus(settings.delay());
        if (now.isBefore(open)) {
            return refuse(session, key, Duration.between(now, open), "retried too early");
        }
        store.passed(key, network, seen.get().firstTry(), settings.passLifetime());
        refusals.count("greylist_passed");
        LOGGER.info("greylist passed [{}] {} after {} s", client.getHostAddress(), key,
            Duration.between(seen.get().firstTry(), now).toSeconds());
        return HookResult.DECLINED;
    }

    private HookResult refuse(SMTPSession session, String key, Duration wait, String why) {
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        return refusals.refuse(session, "greylist", "451",
            "4.7.1 Greylisted, please try again in " + seconds + " seconds", why + ": " + key);
    }

    private boolean isNeverDomain(MaybeSender sender) {
        return sender.asOptional().map(address -> address.getDomain().asString().toLowerCase(Locale.ROOT))
            .map(domain -> settings.neverDomains().stream()
                .anyMatch(never -> domain.equals(never) || domain.endsWith("." + never)))
            .orElse(false);
    }

    /** The /24 of an IPv4 client, the /64 of an IPv6 one: where a large sender's retries come from. */
    static String network(InetAddress client) {
        byte[] bytes = client.getAddress();
        if (client instanceof Inet4Address) {
            return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + ".0/24";
        }
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < 8; i += 2) {
            prefix.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
        }
        return prefix.append(":/64").toString();
    }
}
