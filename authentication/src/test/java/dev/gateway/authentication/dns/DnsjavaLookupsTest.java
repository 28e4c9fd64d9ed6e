package dev.gateway.authentication.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.Cache;
import org.xbill.DNS.DClass;
import org.xbill.DNS.SimpleResolver;

import dev.gateway.authentication.spf.SpfEvaluator;
import dev.gateway.authentication.spf.SpfResult;

/**
 * A DNS server that takes queries and never answers (a loopback UDP socket): every lookup must be a temporary error
 * once the resolver's per-query timeout has run out, and check_host() temperror, never "no record" (RFC 7208 2.6.6).
 */
class DnsjavaLookupsTest {

    @Test
    void aServerThatNeverAnswersIsATemporaryErrorAndTemperror() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                silent.getLocalPort()));
            resolver.setTimeout(Duration.ofMillis(300));
            DnsjavaLookups dns = new DnsjavaLookups(resolver, new Cache(DClass.IN));

            assertThat(dns.txt("sender.test").error()).isPresent();
            assertThat(dns.a("mail.sender.test").error()).isPresent();
            assertThat(dns.mx("sender.test").error()).isPresent();
            assertThat(dns.ptr(InetAddress.getByName("192.0.2.1")).error()).isPresent();
            assertThat(new SpfEvaluator(dns, "mx.example.test")
                .check(InetAddress.getByName("192.0.2.1"), "user@sender.test", "mail.sender.test").result())
                .isEqualTo(SpfResult.TEMPERROR);

            // The queries did reach the server: the errors are its silence, not a refusal to ask.
            silent.setSoTimeout(10_000);
            DatagramPacket query = new DatagramPacket(new byte[512], 512);
            silent.receive(query);
            assertThat(query.getLength()).isGreaterThan(12);
        }
    }
}
