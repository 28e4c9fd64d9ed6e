package dev.gateway.authentication;

import org.apache.james.dnsservice.dnsjava.DNSJavaService;

import com.google.inject.AbstractModule;
import com.google.inject.Scopes;

import dev.gateway.authentication.dns.AddressResolver;
import dev.gateway.authentication.dns.GatewayDnsService;
import dev.gateway.authentication.dns.TxtResolver;

/**
 * Replaces James's DNS service with {@link GatewayDnsService} (servers with ports, timeouts, TXT lookups that tell
 * temperror from "no record"). Install it as an override: James's {@code DNSServiceModule} binds
 * {@code DNSJavaService} itself, and its start-up step (read {@code dnsservice.xml}, then init) then runs on ours.
 */
public class AuthenticationModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(GatewayDnsService.class).in(Scopes.SINGLETON);
        bind(DNSJavaService.class).to(GatewayDnsService.class);
        bind(TxtResolver.class).to(GatewayDnsService.class);
        bind(AddressResolver.class).to(GatewayDnsService.class);
    }
}
