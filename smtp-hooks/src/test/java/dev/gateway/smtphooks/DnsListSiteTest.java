package dev.gateway.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

class DnsListSiteTest {

    @Test
    void readsZoneFilterAndWeightAsPostscreenDoes() throws Exception {
        List<DnsListSite> sites = DnsListSite.parseAll(
            "zen.spamhaus.org=127.0.0.[2..11]*3, bl.spamcop.net*2 list.dnswl.org=127.0.[0..255].[1..3]*-5\n b.test");

        assertThat(sites).extracting(DnsListSite::zone)
            .containsExactly("zen.spamhaus.org", "bl.spamcop.net", "list.dnswl.org", "b.test");
        assertThat(sites).extracting(DnsListSite::weight).containsExactly(3, 2, -5, 1);
        assertThat(sites.get(0).matches(address("127.0.0.2"))).isTrue();
        assertThat(sites.get(0).matches(address("127.0.0.11"))).isTrue();
        assertThat(sites.get(0).matches(address("127.0.0.12"))).isFalse();
        assertThat(sites.get(0).matches(address("127.255.255.254"))).isFalse();
        assertThat(sites.get(1).matches(address("10.9.8.7"))).as("no filter: any answer").isTrue();
        assertThat(sites.get(2).matches(address("127.0.15.2"))).isTrue();
        assertThat(sites.get(2).matches(address("127.0.15.0"))).isFalse();
    }

    @Test
    void anOctetMayListValuesAndRanges() throws Exception {
        DnsListSite site = DnsListSite.parse("x.test=127.0.0.[2;4..6;9]");

        assertThat(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10))
            .filteredOn(last -> site.matches(address("127.0.0." + last)))
            .containsExactly(2, 4, 5, 6, 9);
    }

    @Test
    void badEntriesAreRefusedWithTheEntryNamed() {
        for (String bad : new String[] {"nodot", "x.test*", "x.test*w", "x.test=127.0.0", "x.test=127.0.0.256",
            "x.test=127.0.0.[5..2]", "x.test=127.0.0.[2", "x..test", "x.test=127.0.0.[]"}) {
            assertThatThrownBy(() -> DnsListSite.parse(bad)).as(bad)
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad);
        }
    }

    @Test
    void asksForTheReversedAddressUnderTheZone() throws Exception {
        DnsListSite site = DnsListSite.parse("bl.test");

        assertThat(site.queryFor(address("192.0.2.99"))).isEqualTo("99.2.0.192.bl.test");
        assertThat(site.queryFor(address("2001:db8::1")))
            .isEqualTo("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.test");
    }

    @Test
    void scoreAddsEachMatchingEntryOnceAndAllowlistsSubtract() throws Exception {
        List<DnsListSite> sites = DnsListSite.parseAll(
            "black.test=127.0.0.2*3 black.test=127.0.0.[2..3]*1 grey.test*1 white.test*-5 silent.test*9 broken.test*9");
        Map<String, CompletableFuture<List<InetAddress>>> answers = new LinkedHashMap<>();
        answers.put("black.test", CompletableFuture.completedFuture(List.of(address("127.0.0.2"), address("127.0.0.3"))));
        answers.put("grey.test", CompletableFuture.completedFuture(List.of()));
        answers.put("white.test", CompletableFuture.completedFuture(List.of(address("127.0.0.9"))));
        answers.put("silent.test", new CompletableFuture<>());
        answers.put("broken.test", CompletableFuture.failedFuture(new java.io.IOException("SERVFAIL")));

        RefuseDnsListedClients.Score score = RefuseDnsListedClients.score(sites, answers);

        assertThat(score.total()).isEqualTo(3 + 1 - 5);
        assertThat(score.blocklists()).containsExactly("black.test");
        assertThat(score.unanswered()).containsExactly("silent.test", "broken.test");

        RefuseDnsListedClients.Score withoutReverseDns = score.plusReverseDns(2);
        assertThat(withoutReverseDns.total()).isEqualTo(3 + 1 - 5 + 2);
        assertThat(withoutReverseDns.blocklists()).containsExactly("black.test", "no forward-confirmed reverse DNS");
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
