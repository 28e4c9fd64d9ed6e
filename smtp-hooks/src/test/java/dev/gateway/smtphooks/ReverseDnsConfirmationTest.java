package dev.gateway.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import dev.gateway.authentication.dns.AddressResolver;

/**
 * Forward-confirmed reverse DNS of {@link RefuseDnsListedClients}: an IPv4 client's PTR names must have its address
 * as an A record, an IPv6 client's as an AAAA record. The records are a table keyed as the DNS is: by name and type
 * (PTR by the address's reverse name, as {@code ReverseMap} builds it); FrontDoorIT asks a real DNS server for IPv4.
 */
class ReverseDnsConfirmationTest {
    private static final String V6 = "2001:db8::25";
    private static final String V6_REVERSE =
        "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa";

    private final Records records = new Records();

    @Test
    void anIpv6ClientWhosePtrNameHasItsAddressAsAaaaIsConfirmed() throws Exception {
        records.ptr(V6_REVERSE, "mx.sender.test").aaaa("mx.sender.test", V6);

        assertThat(confirmed(V6)).isTrue();
        assertThat(records.asked).containsExactly(V6_REVERSE + " PTR", "mx.sender.test AAAA");
    }

    @Test
    void anIpv6ClientWhosePtrNameHasAnotherAddressIsNot() throws Exception {
        records.ptr(V6_REVERSE, "mx.sender.test").aaaa("mx.sender.test", "2001:db8::99");

        assertThat(confirmed(V6)).isFalse();
    }

    @Test
    void anIpv6ClientIsNotConfirmedByAnARecord() throws Exception {
        records.ptr(V6_REVERSE, "mx.sender.test").a("mx.sender.test", "192.0.2.25");

        assertThat(confirmed(V6)).isFalse();
        assertThat(records.asked).doesNotContain("mx.sender.test A");
    }

    @Test
    void anIpv6ClientWithoutPtrIsNot() throws Exception {
        assertThat(confirmed(V6)).isFalse();
        assertThat(records.asked).containsExactly(V6_REVERSE + " PTR");
    }

    @Test
    void theSecondPtrNameMayConfirmButNotTheThird() throws Exception {
        records.ptr(V6_REVERSE, "one.sender.test", "two.sender.test").aaaa("two.sender.test", V6);
        assertThat(confirmed(V6)).isTrue();

        Records three = new Records();
        three.ptr(V6_REVERSE, "one.sender.test", "two.sender.test", "three.sender.test").aaaa("three.sender.test", V6);
        assertThat(RefuseDnsListedClients.forwardConfirmed(three, InetAddress.getByName(V6)).get()).isFalse();
    }

    @Test
    void anIpv4ClientIsStillAskedForARecords() throws Exception {
        records.ptr("25.2.0.192.in-addr.arpa", "mx.sender.test").a("mx.sender.test", "192.0.2.25");

        assertThat(confirmed("192.0.2.25")).isTrue();
        assertThat(records.asked).containsExactly("25.2.0.192.in-addr.arpa PTR", "mx.sender.test A");
    }

    private boolean confirmed(String client) throws Exception {
        return RefuseDnsListedClients.forwardConfirmed(records, InetAddress.getByName(client)).get();
    }

    /** Records by name and type; a name without records of a type answers none, as NXDOMAIN or NODATA would. */
    private static final class Records implements AddressResolver {
        private final Map<String, List<String>> byNameAndType = new HashMap<>();
        private final List<String> asked = new java.util.ArrayList<>();

        Records ptr(String reverseName, String... names) {
            byNameAndType.put(reverseName + " PTR", List.of(names));
            return this;
        }

        Records a(String name, String address) {
            byNameAndType.put(name + " A", List.of(address));
            return this;
        }

        Records aaaa(String name, String address) {
            byNameAndType.put(name + " AAAA", List.of(address));
            return this;
        }

        @Override
        public CompletableFuture<List<InetAddress>> addresses(String name) {
            return answer(name, "A").thenApply(Records::parse);
        }

        @Override
        public CompletableFuture<List<InetAddress>> ipv6Addresses(String name) {
            return answer(name, "AAAA").thenApply(Records::parse);
        }

        @Override
        public CompletableFuture<List<String>> pointers(InetAddress address) {
            return answer(org.xbill.DNS.ReverseMap.fromAddress(address).toString(true), "PTR");
        }

        private CompletableFuture<List<String>> answer(String name, String type) {
            asked.add(name + " " + type);
            return CompletableFuture.completedFuture(byNameAndType.getOrDefault(name + " " + type, List.of()));
        }

        private static List<InetAddress> parse(List<String> addresses) {
            return addresses.stream().map(address -> {
                try {
                    return InetAddress.getByName(address);
                } catch (java.net.UnknownHostException e) {
                    throw new IllegalArgumentException(address, e);
                }
            }).toList();
        }
    }
}
