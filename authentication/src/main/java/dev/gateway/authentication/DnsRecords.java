package dev.gateway.authentication;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.Cache;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

import dev.gateway.authentication.dkim.DkimKeygen;
import dev.gateway.authentication.dkim.DkimKeys;
import dev.gateway.authentication.dns.DnsjavaLookups;
import dev.gateway.authentication.dns.GatewayDnsService;
import dev.gateway.authentication.spf.SpfDns;

/**
 * {@code bin/gateway dns-records DOMAIN [--check]}: every record an admin publishes for a domain whose mail this
 * gateway receives and sends, as zone-file lines ready to paste: MX, the SPF records of the domain and of the MX
 * host (its HELO identity), the DKIM key record of every selector under the keys folder, and a DMARC record to start
 * with (monitoring, with aggregate reports). With {@code --check} it then asks DNS (the servers of
 * {@code GATEWAY_DNS_SERVERS}, else the system's) what is published and says, record by record, what is missing
 * or differs; it exits 1 when something is missing or wrong, so a deployment script can wait on it.
 *
 * <p>Settings come from the environment the launcher passes: {@code GATEWAY_HOSTNAME} (the MX name),
 * {@code GATEWAY_DNS_SERVERS}, {@code GATEWAY_DNS_TIMEOUT}, and the keys folder as {@code -Dgateway.dkim.keys}.
 */
public final class DnsRecords {

    /** What a published record set was found to be. */
    enum Status { OK, MISSING, WRONG, UNKNOWN }

    record Finding(Status status, String detail) {
    }

    /** One record to publish, and how to judge what DNS answers for its name and type. */
    record Expected(String owner, int type, String value, Function<List<String>, Finding> judge) {
        String zoneLine() {
            String shown = type == Type.TXT ? DkimKeygen.quoted(value) : value;
            return owner + ". IN " + Type.string(type) + " " + shown;
        }
    }

    /** Answers of one lookup: the records as text, or why there are none. */
    interface Published {
        Optional<List<String>> lookup(String name, int type);
    }

    private final String domain;
    private final String host;
    private final DkimKeys keys;

    DnsRecords(String domain, String host, DkimKeys keys) {
        this.domain = domain.toLowerCase(Locale.ROOT);
        this.host = host.toLowerCase(Locale.ROOT);
        this.keys = keys;
    }

    public static void main(String[] args) {
        try {
            System.exit(run(Arrays.asList(args), System.out, System.err));
        } catch (IOException | GeneralSecurityException | ConfigurationException e) {
            System.err.println("dns-records: " + e.getMessage());
            System.exit(2);
        }
    }

    static int run(List<String> args, PrintStream out, PrintStream err)
            throws IOException, GeneralSecurityException, ConfigurationException {
        List<String> domains = args.stream().filter(arg -> !arg.startsWith("-")).toList();
        List<String> unknown = args.stream().filter(arg -> arg.startsWith("-") && !arg.equals("--check")).toList();
        if (domains.size() != 1 || !unknown.isEmpty() || !domains.get(0).contains(".")) {
            err.println("usage: dns-records DOMAIN [--check]");
            return 2;
        }
        String host = Optional.ofNullable(System.getenv("GATEWAY_HOSTNAME")).filter(name -> !name.isBlank()).orElse("localhost");
        DnsRecords records = new DnsRecords(domains.get(0), host,
            new DkimKeys(Path.of(System.getProperty("gateway.dkim.keys", "keys"))));
        records.print(out);
        if (!args.contains("--check")) {
            return 0;
        }
        Resolver resolver = resolver(Optional.ofNullable(System.getenv("GATEWAY_DNS_SERVERS")).orElse(""),
            GatewayDnsService.parseDuration(Optional.ofNullable(System.getenv("GATEWAY_DNS_TIMEOUT")).orElse("5s")));
        return records.check(lookups(resolver), out) ? 0 : 1;
    }

    List<Expected> expected() throws IOException, GeneralSecurityException {
        List<Expected> expected = new ArrayList<>();
        expected.add(new Expected(domain, Type.MX, "10 " + host + ".", published -> {
            List<String> targets = published.stream().map(mx -> mx.replaceFirst("^\\d+\\s+", "").replaceFirst("\\.$", ""))
                .toList();
            if (targets.isEmpty()) {
                return new Finding(Status.MISSING, "no MX record");
            }
            return targets.contains(host) ? new Finding(Status.OK, "names " + host)
                : new Finding(Status.WRONG, "names " + String.join(", ", targets) + ", not " + host);
        }));
        expected.add(spf(domain, "v=spf1 mx -all"));
        expected.add(spf(host, "v=spf1 a -all"));
        for (String selector : keys.selectors(domain)) {
            Optional<String> record = keys.keyRecord(domain, selector);
            if (record.isPresent()) {
                expected.add(dkim(selector, record.get()));
            }
        }
        expected.add(new Expected("_dmarc." + domain, Type.TXT,
            "v=DMARC1; p=none; rua=mailto:dmarc-reports@" + domain + "; adkim=r; aspf=r",
            published -> oneRecordOf("DMARC", "v=DMARC1", published)));
        return expected;
    }

    void print(PrintStream out) throws IOException, GeneralSecurityException {
        out.println("; Records to publish for " + domain + ", whose MX is " + host + " (GATEWAY_HOSTNAME)");
        if (host.equals("localhost") || !host.contains(".")) {
            out.println("; GATEWAY_HOSTNAME is " + host + ": set it to this gateway's public name before publishing");
        }
        out.println("; " + host + " also needs an A (and AAAA) record of this host's public address,");
        out.println("; and that address a PTR record naming " + host + " (ask whoever owns the address).");
        List<String> selectors = keys.selectors(domain);
        if (selectors.isEmpty()) {
            out.println("; No DKIM key for " + domain + " yet: bin/gateway dkim keygen " + domain + " makes one.");
        }
        for (String selector : selectors) {
            if (keys.keyRecord(domain, selector).isEmpty()) {
                out.println("; DKIM selector " + selector + ": an Ed25519 key with no record file beside it;"
                    + " its record is the one printed when the key was made.");
            }
        }
        out.println("; SPF: add include: for every other service that sends as " + domain + "; start with ~all if unsure.");
        out.println("; DMARC: p=none observes; move to p=quarantine, then p=reject, once the reports show your mail aligned.");
        out.println("; MTA-STS and TLS-RPT: not served by this gateway, so no records for them.");
        for (Expected record : expected()) {
            out.println(record.zoneLine());
        }
    }

    /** Looks every record up and prints what it finds; true when nothing is missing or wrong. */
    boolean check(Published dns, PrintStream out) throws IOException, GeneralSecurityException {
        out.println();
        out.println("; What DNS publishes now:");
        boolean good = true;
        for (Expected record : expected()) {
            Finding finding = dns.lookup(record.owner(), record.type())
                .map(record.judge())
                .orElse(new Finding(Status.UNKNOWN, "the lookup failed; try again"));
            good &= finding.status() == Status.OK || finding.status() == Status.UNKNOWN;
            out.printf("; %-8s %-4s %-40s %s%n", finding.status().name().toLowerCase(Locale.ROOT),
                Type.string(record.type()), record.owner(), finding.detail());
        }
        return good;
    }

    private static Expected spf(String owner, String value) {
        return new Expected(owner, Type.TXT, value, published -> oneRecordOf("SPF", "v=spf1", published));
    }

    private Expected dkim(String selector, String record) {
        Optional<String> ours = keyData(record);
        return new Expected(selector + "._domainkey." + domain, Type.TXT, record, published -> {
            if (published.isEmpty()) {
                return new Finding(Status.MISSING, "no key record for selector " + selector);
            }
            List<Optional<String>> keysPublished = published.stream().map(DnsRecords::keyData).toList();
            if (keysPublished.contains(ours)) {
                return new Finding(Status.OK, "the key of selector " + selector);
            }
            return new Finding(Status.WRONG, "publishes another key than " + selector + ".pem: mail signed with it fails");
        });
    }

    /** The p= value of a DKIM key record, without the white space DNS tools may split it with. */
    private static Optional<String> keyData(String record) {
        return Arrays.stream(record.split(";")).map(String::strip).filter(tag -> tag.startsWith("p="))
            .map(tag -> tag.substring(2).replaceAll("\\s+", "")).findFirst();
    }

    /** SPF and DMARC: exactly one record of the version is what receivers need (two are a permanent error). */
    private static Finding oneRecordOf(String what, String version, List<String> published) {
        List<String> ofVersion = published.stream()
            .filter(text -> text.toLowerCase(Locale.ROOT).startsWith(version.toLowerCase(Locale.ROOT) + " ")
                || text.toLowerCase(Locale.ROOT).startsWith(version.toLowerCase(Locale.ROOT) + ";")
                || text.equalsIgnoreCase(version))
            .toList();
        if (ofVersion.isEmpty()) {
            return new Finding(Status.MISSING, "no " + what + " record");
        }
        if (ofVersion.size() > 1) {
            return new Finding(Status.WRONG, ofVersion.size() + " " + what + " records: receivers treat that as an error");
        }
        return new Finding(Status.OK, "\"" + ofVersion.get(0) + "\"");
    }

    static Resolver resolver(String servers, Duration timeout) throws IOException, ConfigurationException {
        List<InetSocketAddress> addresses = GatewayDnsService.parseServers(List.of(servers));
        Resolver resolver = addresses.isEmpty() ? new ExtendedResolver()
            : new ExtendedResolver(addresses.stream().map(address -> (Resolver) new SimpleResolver(address)).toList());
        resolver.setTimeout(timeout);
        return resolver;
    }

    /** A fresh cache per run: --check is asked after publishing, so an answer must never be an old one. */
    static Published lookups(Resolver resolver) {
        DnsjavaLookups dns = new DnsjavaLookups(resolver, new Cache(DClass.IN));
        return (name, type) -> {
            SpfDns.Answer<String> answer = dns.lookup(name, type, DnsRecords::text);
            return answer.error().isPresent() ? Optional.empty() : Optional.of(answer.records());
        };
    }

    private static String text(Record record) {
        if (record instanceof TXTRecord txt) {
            return String.join("", txt.getStrings());
        }
        if (record instanceof MXRecord mx) {
            return mx.getPriority() + " " + mx.getTarget().toString(true).toLowerCase(Locale.ROOT);
        }
        if (record instanceof ARecord a) {
            return a.getAddress().getHostAddress();
        }
        if (record instanceof AAAARecord aaaa) {
            return aaaa.getAddress().getHostAddress();
        }
        return record.rdataToString();
    }
}
