package dev.gateway.authentication.dns;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.function.Function;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Cache;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import dev.gateway.authentication.spf.Addresses;
import dev.gateway.authentication.spf.SpfDns;

/**
 * The gateway's one synchronous DNS lookup on dnsjava, with a given resolver and cache (the gateway's
 * {@code GatewayDnsService}: its servers, per-query timeout and retries, TTL-honouring cache; or a resolver of
 * {@code dns-records --check}). Every caller gets the same mapping of dnsjava's outcome: records found; NXDOMAIN and
 * no data of the type are void (no records, no error); a timeout, SERVFAIL or any other failure is an error, which
 * mail authentication must treat as temporary (RFC 7208 section 2.6.6: temperror; RFC 6376 section 6.1.2) and never
 * as "no record". CNAMEs are followed by dnsjava. A name that is not a DNS name (a label over 63 octets) can have no
 * records: void.
 *
 * <p>It answers SPF's lookups ({@link SpfDns}), TXT for DKIM and DMARC ({@code GatewayDnsService.txt}) and any type
 * through {@link #lookup}.
 */
public class DnsjavaLookups implements SpfDns {
    private final Resolver resolver;
    private final Cache cache;

    public DnsjavaLookups(Resolver resolver, Cache cache) {
        this.resolver = resolver;
        this.cache = cache;
    }

    @Override
    public Answer<String> txt(String name) {
        return lookup(name, Type.TXT, record -> String.join("", ((TXTRecord) record).getStrings()));
    }

    @Override
    public Answer<InetAddress> a(String name) {
        return lookup(name, Type.A, record -> ((ARecord) record).getAddress());
    }

    @Override
    public Answer<InetAddress> aaaa(String name) {
        return lookup(name, Type.AAAA, record -> ((AAAARecord) record).getAddress());
    }

    @Override
    public Answer<String> mx(String name) {
        return lookup(name, Type.MX, record -> ((MXRecord) record).getTarget().toString(true));
    }

    @Override
    public Answer<String> ptr(InetAddress address) {
        return lookup(Addresses.reverseName(address), Type.PTR, record -> ((PTRRecord) record).getTarget().toString(true));
    }

    /** The records of one type at a name, each turned into a value; void or an error as described above. */
    public <T> Answer<T> lookup(String name, int type, Function<Record, T> value) {
        Lookup lookup;
        try {
            lookup = new Lookup(Name.fromString(name, Name.root), type);
        } catch (TextParseException e) {
            return Answer.none();
        }
        lookup.setResolver(resolver);
        lookup.setCache(cache);
        Record[] records = lookup.run();
        return switch (lookup.getResult()) {
            case Lookup.SUCCESSFUL -> Answer.found(Arrays.stream(records)
                .filter(record -> record.getType() == type).map(value).toList());
            case Lookup.HOST_NOT_FOUND, Lookup.TYPE_NOT_FOUND -> Answer.none();
            default -> Answer.failed(Type.string(type) + " " + name + ": " + lookup.getErrorString());
        };
    }

    /** Whether a name can be asked at all (labels of at most 63 octets, 255 in all). */
    public static boolean isDomainName(String name) {
        try {
            Name.fromString(name, Name.root);
            return true;
        } catch (TextParseException e) {
            return false;
        }
    }
}
