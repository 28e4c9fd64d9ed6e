package dev.gateway.authentication.spf;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.gateway.testsupport.FuzzHarness;

/**
 * SPF records come from whoever publishes DNS for a sender's domain: hostile input. Fuzzed with {@link FuzzHarness}
 * (brief in CI; its javadoc says how to run longer), a record is parsed or refused with {@link SpfAbort}, and
 * check_host() over it always ends in one of the results of RFC 7208 section 2.6, never an exception in the SMTP hook.
 */
class SpfRecordFuzzTest {

    private static final List<String> RECORDS = List.of(
        "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx ptr -all", "v=spf1 include:_spf.%{d2} ~all",
        "v=spf1 a:%{ir}.%{v}._spf.%{d}/24//64 mx:%{o}/30 ?all", "v=spf1 exists:%{l1r-+}.%{i}._x.%{d} -all",
        "v=spf1 redirect=%{h}.example exp=%{L}.%{S}.why.example", "v=spf1 ip4:1.2.3.4/32 ip6:::ffff:1.2.3.4/128",
        "v=spf1 %{p}.example moo.cow-far_out=man:dog/cat -all", "v=spf1 a:b.example/0//0 +all -all ~all ?all",
        "v=spf1 exists:%{d999999r}.example %%%_%- ptr:%{c}.%{r}.%{t}.example");

    private final FuzzHarness fuzz = FuzzHarness.fromSystemProperties();

    @Test
    void aRecordIsParsedOrRefusedWithPermerror() {
        FuzzHarness.Report report = fuzz.run("SpfRecordParser.parse", RECORDS, Set.of(SpfAbort.class),
            input -> {
                try {
                    SpfRecordParser.parse(input);
                } catch (SpfAbort refused) {
                    assertThat(refused.result()).isEqualTo(SpfResult.PERMERROR);
                    throw refused;
                }
            });
        assertNoCrash(report);
    }

    @Test
    void checkHostOverAnyRecordEndsInAResult() throws Exception {
        InetAddress client = InetAddress.getByName("192.0.2.1");
        FuzzHarness.Report report = fuzz.run("SpfEvaluator.check", RECORDS, Set.of(),
            input -> assertThat(new SpfEvaluator(new OneRecord(input), "mx.example.test")
                .check(client, "user@sender.example", "helo.sender.example").result()).isNotNull());
        assertNoCrash(report);
    }

    private static void assertNoCrash(FuzzHarness.Report report) {
        System.out.println("fuzz " + report);
        assertThat(report.crashes()).as(report.toString()).isEmpty();
        assertThat(report.cases()).isPositive();
    }

    /** DNS where every name publishes the fuzzed record and the client's address, and has one MX and one PTR name. */
    private record OneRecord(String record) implements SpfDns {
        @Override
        public Answer<String> txt(String name) {
            return Answer.found(List.of(record));
        }

        @Override
        public Answer<InetAddress> a(String name) {
            return Answer.found(List.of(InetAddress.getLoopbackAddress()));
        }

        @Override
        public Answer<InetAddress> aaaa(String name) {
            return Answer.none();
        }

        @Override
        public Answer<String> mx(String name) {
            return Answer.found(List.of("mail." + name));
        }

        @Override
        public Answer<String> ptr(InetAddress address) {
            return Answer.found(List.of("host.sender.example"));
        }
    }
}
