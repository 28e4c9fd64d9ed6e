package dev.gateway.operations;

import java.io.IOException;
import java.util.function.Supplier;

import javax.inject.Inject;

import org.apache.james.core.healthcheck.Result;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Type;

import dev.gateway.authentication.dns.GatewayDnsService;

/**
 * WebAdmin's {@code /healthcheck} entry "DNS": asks the servers the gateway resolves with (GATEWAY_DNS_SERVERS, or
 * those of /etc/resolv.conf) for the root zone's name servers, with the server's own timeout and retries, past its
 * cache. An answer, even "no such name", is healthy; SERVFAIL, REFUSED or no answer is degraded: mail is still
 * accepted, but MX lookups, SPF and DKIM checks fail temporarily until DNS is back, which a restart does not fix.
 */
public class DnsHealthCheck extends BlockingHealthCheck {

    private final Supplier<Resolver> resolver;
    private final Supplier<String> servers;

    @Inject
    public DnsHealthCheck(GatewayDnsService dns) {
        this(dns::resolver, () -> String.join(", ", dns.getDNSServers()));
    }

    DnsHealthCheck(Supplier<Resolver> resolver, Supplier<String> servers) {
        super("DNS");
        this.resolver = resolver;
        this.servers = servers;
    }

    @Override
    Result checkNow() {
        try {
            Message answer = resolver.get().send(Message.newQuery(Record.newRecord(Name.root, Type.NS, DClass.IN)));
            int rcode = answer.getRcode();
            if (rcode == Rcode.NOERROR || rcode == Rcode.NXDOMAIN) {
                return Result.healthy(componentName());
            }
            return Result.degraded(componentName(), "DNS servers " + servers.get() + " answer " + Rcode.string(rcode)
                + ": MX lookups, SPF and DKIM checks fail temporarily");
        } catch (IOException e) {
            return Result.degraded(componentName(), "DNS servers " + servers.get() + " do not answer ("
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + "): MX lookups, SPF and DKIM checks fail temporarily");
        }
    }
}
