package dev.gateway.smtphooks;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.apache.commons.configuration2.Configuration;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.ConnectHandler;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.apache.james.util.DurationParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.gateway.authentication.dns.AddressResolver;

/**
 * Weighted DNS blocklists and allowlists, as Postfix's postscreen: every list is asked about the client's address in
 * parallel as the client connects; at {@code MAIL FROM} the weights of the lists that answered (and whose answer
 * passes the entry's filter) are added up, and a client whose score reaches the threshold is refused with
 * {@code 554 5.7.1} naming the blocklists that listed it. A list that has not answered by the deadline (counted from
 * the connection) counts as not listed. Trusted networks ({@code authorizedAddresses}) are never looked up;
 * authenticated clients are not refused. Answers are kept in the DNS service's cache for their TTL.
 *
 * <pre>{@code
 * <handler class="dev.gateway.smtphooks.RefuseDnsListedClients">
 *     <!-- zone[=filter][*weight], separated by commas or spaces; empty (the default): the check is off -->
 *     <sites>zen.spamhaus.org=127.0.0.[2..11]*3, bl.spamcop.net*2, list.dnswl.org=127.0.[0..255].[1..3]*-5</sites>
 *     <threshold>3</threshold>   <!-- default 1 -->
 *     <deadline>2s</deadline>    <!-- default 2s, from the connection -->
 *     <reverseDnsWeight>1</reverseDnsWeight>   <!-- default 0: added when the client's PTR names do not resolve back to it (A or AAAA) -->
 * </handler>
 * }</pre>
 *
 * Refused at {@code MAIL FROM} rather than at the greeting: the lookups then overlap the greeting and EHLO (and
 * STARTTLS), the sender is in the log line of a refusal (false positives can be traced), an authenticated client is
 * known, and clients treat a 5xx to {@code MAIL} as final where some retry at once after a refused greeting. Nothing
 * of the envelope has been accepted by then, so nothing reaches the spam scan.
 */
public class RefuseDnsListedClients implements ConnectHandler<SMTPSession>, MailHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(RefuseDnsListedClients.class);
    private static final ProtocolSession.AttachmentKey<Lookups> LOOKUPS =
        ProtocolSession.AttachmentKey.of("gateway.dnsLists", Lookups.class);
    private static final ProtocolSession.AttachmentKey<HookResult> VERDICT =
        ProtocolSession.AttachmentKey.of("gateway.dnsListsVerdict", HookResult.class);

    /** Settings read once from the handler element. */
    record Settings(List<DnsListSite> sites, int threshold, Duration deadline, int reverseDnsWeight) {
        static Settings from(Configuration configuration) {
            Settings settings = new Settings(DnsListSite.parseAll(configuration.getString("sites", "")),
                configuration.getInt("threshold", 1),
                DurationParser.parse(configuration.getString("deadline", "2s"), ChronoUnit.SECONDS),
                configuration.getInt("reverseDnsWeight", 0));
            if (settings.threshold < 1) {
                throw new IllegalArgumentException("RefuseDnsListedClients: threshold must be at least 1, not "
                    + settings.threshold);
            }
            return settings;
        }
    }

    /** The lookups of one connection, one per zone, started as it connected. */
    record Lookups(long startedNanos, Map<String, CompletableFuture<List<InetAddress>>> byZone,
                   CompletableFuture<Boolean> reverseDnsConfirmed) {
    }

    /** What the lists said about one client. */
    record Score(int total, List<DnsListSite> matched, List<String> unanswered, boolean noReverseDns) {
        Score(int total, List<DnsListSite> matched, List<String> unanswered) {
            this(total, matched, unanswered, false);
        }

        /** The lists that listed the client, and its missing reverse DNS when that counted against it. */
        List<String> blocklists() {
            List<String> reasons = new java.util.ArrayList<>(matched.stream().filter(site -> site.weight() > 0)
                .map(DnsListSite::zone).distinct().toList());
            if (noReverseDns) {
                reasons.add("no forward-confirmed reverse DNS");
            }
            return reasons;
        }

        Score plusReverseDns(int weight) {
            return new Score(total + weight, matched, unanswered, true);
        }
    }

    private final AddressResolver dns;
    private final FrontDoorRefusals refusals;
    private Settings settings = new Settings(List.of(), 1, Duration.ofSeconds(2), 0);

    @Inject
    public RefuseDnsListedClients(AddressResolver dns, FrontDoorRefusals refusals) {
        this.dns = dns;
        this.refusals = refusals;
    }

    @Override
    public void init(Configuration configuration) {
        settings = Settings.from(configuration);
        if (!settings.sites().isEmpty()) {
            LOGGER.info("DNS lists: {} (threshold {}, deadline {} ms)", settings.sites(), settings.threshold(),
                settings.deadline().toMillis());
        }
    }

    @Override
    public Response onConnect(SMTPSession session) {
        if ((settings.sites().isEmpty() && settings.reverseDnsWeight() == 0) || session.isRelayingAllowed()) {
            return NothingToSay.INSTANCE;
        }
        InetAddress client = session.getRemoteAddress().getAddress();
        Map<String, CompletableFuture<List<InetAddress>>> byZone = new LinkedHashMap<>();
        for (DnsListSite site : settings.sites()) {
            byZone.computeIfAbsent(site.zone(), zone -> dns.addresses(site.queryFor(client)));
        }
        CompletableFuture<Boolean> reverseDns = settings.reverseDnsWeight() == 0
            ? CompletableFuture.completedFuture(true) : forwardConfirmed(dns, client);
        session.setAttachment(LOOKUPS, new Lookups(System.nanoTime(), byZone, reverseDns),
            ProtocolSession.State.Connection);
        return NothingToSay.INSTANCE;
    }

    /**
     * Whether one of the client's PTR names (the first two) has the client's address: forward-confirmed rDNS. An IPv4
     * client's names are asked for A records, an IPv6 client's (PTR under {@code ip6.arpa}) for AAAA records.
     */
    static CompletableFuture<Boolean> forwardConfirmed(AddressResolver dns, InetAddress client) {
        java.util.function.Function<String, CompletableFuture<List<InetAddress>>> forward =
            client instanceof Inet4Address ? dns::addresses : dns::ipv6Addresses;
        return dns.pointers(client).thenCompose(names -> {
            List<CompletableFuture<Boolean>> checks = names.stream().limit(2)
                .map(name -> forward.apply(name).thenApply(addresses -> addresses.contains(client))
                    .exceptionally(failure -> false))
                .toList();
            return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new))
                .thenApply(all -> checks.stream().anyMatch(CompletableFuture::join));
        });
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        if (session.getUsername() != null) {
            return HookResult.DECLINED;
        }
        Lookups lookups = session.getAttachment(LOOKUPS, ProtocolSession.State.Connection).orElse(null);
        if (lookups == null) {
            return HookResult.DECLINED;
        }
        HookResult verdict = session.getAttachment(VERDICT, ProtocolSession.State.Connection).orElse(null);
        if (verdict == null) {
            verdict = decide(session, lookups, sender);
            session.setAttachment(VERDICT, verdict, ProtocolSession.State.Connection);
        }
        return verdict;
    }

    private HookResult decide(SMTPSession session, Lookups lookups, MaybeSender sender) {
        awaitUntilDeadline(lookups);
        Score listed = score(settings.sites(), lookups.byZone());
        String client = FrontDoorRefusals.clientAddress(session);
        // Only an answer counts against the client: a PTR lookup that failed or timed out adds nothing.
        CompletableFuture<Boolean> reverseDns = lookups.reverseDnsConfirmed();
        boolean noReverseDns = reverseDns.isDone() && !reverseDns.isCompletedExceptionally() && !reverseDns.join();
        Score score = noReverseDns ? listed.plusReverseDns(settings.reverseDnsWeight()) : listed;
        for (String zone : score.unanswered()) {
            LOGGER.info("DNS list {} gave no answer about [{}] within {} ms: counted as not listed", zone, client,
                settings.deadline().toMillis());
            refusals.count("dnsbl_unanswered");
        }
        if (score.total() < settings.threshold()) {
            if (!score.matched().isEmpty() || score.noReverseDns()) {
                LOGGER.info("DNS lists score of [{}] is {}, under {}: {}{}", client, score.total(),
                    settings.threshold(), score.matched(), score.noReverseDns() ? " and no reverse DNS" : "");
            }
            return HookResult.DECLINED;
        }
        return refusals.refuse(session, "dnsbl", "554",
            "5.7.1 Service unavailable; client [" + client + "] blocked using " + String.join(", ", score.blocklists()),
            "DNS lists score " + score.total() + " >= " + settings.threshold() + " " + score.matched()
                + (score.noReverseDns() ? " and no reverse DNS" : "") + ", sender <"
                + sender.asString() + ">");
    }

    /** Waits for the lookups still running, at most until the deadline counted from the connection. */
    private void awaitUntilDeadline(Lookups lookups) {
        long remaining = settings.deadline().toNanos() - (System.nanoTime() - lookups.startedNanos());
        if (remaining <= 0) {
            return;
        }
        try {
            CompletableFuture.allOf(java.util.stream.Stream.concat(lookups.byZone().values().stream(),
                        java.util.stream.Stream.of(lookups.reverseDnsConfirmed()))
                    .map(future -> future.exceptionally(failure -> null))
                    .toArray(CompletableFuture[]::new))
                .get(remaining, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // The lists that have not answered count as not listed.
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot happen: failures were turned into empty answers", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The score of a client from the answers there are: each entry adds its weight once when any answer of its zone
     * passes its filter. A lookup not finished, or failed, is listed as unanswered and adds nothing.
     */
    static Score score(List<DnsListSite> sites, Map<String, CompletableFuture<List<InetAddress>>> byZone) {
        int total = 0;
        List<DnsListSite> matched = new java.util.ArrayList<>();
        List<String> unanswered = new java.util.ArrayList<>();
        for (Map.Entry<String, CompletableFuture<List<InetAddress>>> lookup : byZone.entrySet()) {
            CompletableFuture<List<InetAddress>> future = lookup.getValue();
            if (!future.isDone() || future.isCompletedExceptionally()) {
                unanswered.add(lookup.getKey());
                continue;
            }
            List<InetAddress> answers = future.join();
            for (DnsListSite site : sites) {
                if (site.zone().equals(lookup.getKey()) && answers.stream().anyMatch(site::matches)) {
                    total += site.weight();
                    matched.add(site);
                }
            }
        }
        return new Score(total, List.copyOf(matched), List.copyOf(unanswered));
    }
}
