package dev.gateway.authentication.dns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.dnsservice.dnsjava.DNSJavaService;
import org.apache.james.metrics.api.MetricFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Cache;
import org.xbill.DNS.Credibility;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.SetResponse;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import dev.gateway.authentication.spf.SpfDns;

/**
 * James's DNS service with what mail authentication needs and James 3.8.1's {@code DNSJavaService} lacks: servers
 * given as {@code host} or {@code host:port}, a per-query timeout and a retry count, and TXT lookups that tell a
 * failed lookup (temperror) from an absent record. Answers are kept in dnsjava's cache, which honours each record's
 * TTL. Bound in place of {@code DNSJavaService}, so it reads {@code dnsservice.xml}:
 *
 * <pre>{@code
 * <dnsservice>
 *     <servers><server>127.0.0.1:5353, 10.0.0.2</server></servers>  <!-- any of them off: autodiscovery -->
 *     <autodiscover>true</autodiscover>   <!-- ignored when servers are given -->
 *     <timeout>5s</timeout>               <!-- per query and server -->
 *     <retries>1</retries>
 *     <maxcachesize>50000</maxcachesize>
 *     <negativeCacheTTL>300</negativeCacheTTL>
 * </dnsservice>
 * }</pre>
 *
 * It also registers its resolver as dnsjava's default, which is what James's other DNS users read.
 */
public class GatewayDnsService extends DNSJavaService implements TxtResolver, AddressResolver {
    private static final Logger LOGGER = LoggerFactory.getLogger(GatewayDnsService.class);
    private static final int DNS_PORT = 53;

    private List<InetSocketAddress> servers = List.of();
    private Duration timeout = Duration.ofSeconds(5);
    private int retries = 1;

    @Inject
    public GatewayDnsService(MetricFactory metricFactory) {
        super(metricFactory);
    }

    @Override
    public void configure(HierarchicalConfiguration<ImmutableNode> configuration) throws ConfigurationException {
        servers = parseServers(Arrays.asList(configuration.getStringArray("servers.server")));
        timeout = parseDuration(configuration.getString("timeout", "5s"));
        retries = configuration.getInt("retries", 1);
        if (retries < 0) {
            throw new ConfigurationException("dnsservice.xml: retries must be 0 or more, not " + retries);
        }
        // James's own parsing takes neither ports nor our list syntax: it gets the rest, with discovery off when
        // servers are given, and we replace its resolver in init().
        BaseHierarchicalConfiguration rest = new BaseHierarchicalConfiguration(configuration);
        rest.clearTree("servers");
        if (!servers.isEmpty()) {
            rest.setProperty("autodiscover", false);
        }
        super.configure(rest);
    }

    @Override
    public void init() throws Exception {
        super.init();
        Resolver configured = servers.isEmpty() ? resolver : new ExtendedResolver(servers.stream()
            .map(address -> (Resolver) new SimpleResolver(address)).collect(Collectors.toList()));
        configured.setTimeout(timeout);
        if (configured instanceof ExtendedResolver extended) {
            extended.setRetries(retries);
        }
        resolver = configured;
        Lookup.setDefaultResolver(resolver);
        LOGGER.info("DNS servers: {} (timeout {} ms, {} retries)",
            servers.isEmpty() ? String.join(", ", super.getDNSServers()) + " (discovered)" : servers,
            timeout.toMillis(), retries);
    }

    @Override
    public String[] getDNSServers() {
        return servers.isEmpty() ? super.getDNSServers()
            : servers.stream().map(a -> a.getHostString() + ":" + a.getPort()).toArray(String[]::new);
    }

    /** The resolver in use, for lookups of their own (SPF's A, AAAA, MX, PTR and TXT). */
    public Resolver resolver() {
        return resolver;
    }

    /** The cache in use, kept for each record's TTL. */
    public Cache cache() {
        return cache;
    }

    @Override
    public TxtAnswer txt(String name) {
        if (!DnsjavaLookups.isDomainName(name)) {
            return TxtAnswer.permanentError("not a domain name: " + name);
        }
        SpfDns.Answer<String> answer = new DnsjavaLookups(resolver, cache).txt(name);
        return answer.error().map(TxtAnswer::temporaryError).orElseGet(() -> TxtAnswer.found(answer.records()));
    }

    @Override
    public CompletableFuture<List<InetAddress>> addresses(String name) {
        return recordsAsync(name, Type.A).thenApply(records -> records.stream().filter(ARecord.class::isInstance)
            .map(record -> ((ARecord) record).getAddress()).collect(Collectors.toList()));
    }

    @Override
    public CompletableFuture<List<InetAddress>> ipv6Addresses(String name) {
        return recordsAsync(name, Type.AAAA).thenApply(records -> records.stream()
            .filter(AAAARecord.class::isInstance)
            .map(record -> ((AAAARecord) record).getAddress()).collect(Collectors.toList()));
    }

    @Override
    public CompletableFuture<List<String>> pointers(InetAddress address) {
        return recordsAsync(ReverseMap.fromAddress(address).toString(), Type.PTR)
            .thenApply(records -> records.stream().filter(PTRRecord.class::isInstance)
                .map(record -> ((PTRRecord) record).getTarget().toString(true)).collect(Collectors.toList()));
    }

    /** The records of one type from the cache, else from the servers (then cached): none for NXDOMAIN/NODATA. */
    private CompletableFuture<List<Record>> recordsAsync(String name, int type) {
        Name query;
        try {
            query = Name.fromString(name, Name.root);
        } catch (TextParseException e) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("not a domain name: " + name, e));
        }
        SetResponse cached = cache.lookupRecords(query, type, Credibility.NORMAL);
        if (cached.isSuccessful()) {
            return CompletableFuture.completedFuture(cached.answers().stream()
                .flatMap(set -> set.rrs().stream()).collect(Collectors.toList()));
        }
        if (cached.isNXDOMAIN() || cached.isNXRRSET()) {
            return CompletableFuture.completedFuture(List.of());
        }
        return resolver.sendAsync(Message.newQuery(Record.newRecord(query, type, DClass.IN)))
            .toCompletableFuture()
            .thenApply(answer -> {
                int rcode = answer.getRcode();
                if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
                    throw new CompletionException(new java.io.IOException(name + ": " + Rcode.string(rcode)));
                }
                cache.addMessage(answer);
                return rcode == Rcode.NXDOMAIN ? List.<Record>of() : Arrays.asList(answer.getSectionArray(Section.ANSWER));
            });
    }

    /** {@code host} or {@code host:port} entries ({@code [v6]:port}), each entry possibly a comma or space separated list. */
    public static List<InetSocketAddress> parseServers(List<String> entries) throws ConfigurationException {
        List<InetSocketAddress> parsed = new ArrayList<>();
        for (String entry : entries) {
            for (String server : entry.split("[,\\s]+")) {
                if (!server.isBlank()) {
                    parsed.add(parseServer(server.trim()));
                }
            }
        }
        return List.copyOf(parsed);
    }

    private static InetSocketAddress parseServer(String server) throws ConfigurationException {
        String host = server;
        int port = DNS_PORT;
        if (server.startsWith("[")) {
            int close = server.indexOf(']');
            if (close < 0) {
                throw new ConfigurationException("DNS server " + server + ": missing ]");
            }
            host = server.substring(1, close);
            if (server.length() > close + 1) {
                if (server.charAt(close + 1) != ':') {
                    throw new ConfigurationException("DNS server " + server + ": expected [address]:port");
                }
                port = parsePort(server, server.substring(close + 2));
            }
        } else if (server.indexOf(':') >= 0 && server.indexOf(':') == server.lastIndexOf(':')) {
            host = server.substring(0, server.indexOf(':'));
            port = parsePort(server, server.substring(server.indexOf(':') + 1));
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new ConfigurationException("DNS server " + server + ": unknown host " + host, e);
        }
    }

    private static int parsePort(String server, String port) throws ConfigurationException {
        try {
            int value = Integer.parseInt(port);
            if (value < 1 || value > 65535) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigurationException("DNS server " + server + ": port must be 1 to 65535");
        }
    }

    public static Duration parseDuration(String text) throws ConfigurationException {
        String value = text.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (value.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
            }
            if (value.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
            }
            return Duration.ofSeconds(Long.parseLong(value));
        } catch (NumberFormatException e) {
            throw new ConfigurationException("dnsservice.xml: timeout must be like 5s or 500ms, not " + text);
        }
    }
}
