package dev.gateway.authentication.dns;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Address (A, AAAA) and reverse (PTR) lookups that do not block the caller, for checks that ask many lists at once with a deadline (DNS
 * blocklists). Answers come from, and go to, the DNS service's cache, which keeps each answer for its TTL.
 */
public interface AddressResolver {

    /**
     * The IPv4 addresses of {@code name}: an empty list for NXDOMAIN or no A record; completed exceptionally when the
     * lookup failed (timeout, SERVFAIL), which a caller must never read as "no record".
     */
    CompletableFuture<List<InetAddress>> addresses(String name);

    /** The IPv6 addresses of {@code name} (AAAA records), with the same rules. */
    CompletableFuture<List<InetAddress>> ipv6Addresses(String name);

    /**
     * The names of an address's PTR records (without the final dot; {@code in-addr.arpa} for IPv4, nibbles under
     * {@code ip6.arpa} for IPv6), with the same rules.
     */
    CompletableFuture<List<String>> pointers(InetAddress address);
}
