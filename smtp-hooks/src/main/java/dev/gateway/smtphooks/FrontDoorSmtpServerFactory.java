package dev.gateway.smtphooks;

import javax.inject.Inject;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.lib.handler.ProtocolHandlerLoader;
import org.apache.james.smtpserver.netty.SMTPServer;
import org.apache.james.smtpserver.netty.SMTPServerFactory;

/** James's SMTP server factory, making {@link FrontDoorSmtpServer}s. */
public class FrontDoorSmtpServerFactory extends SMTPServerFactory {
    private final FrontDoorRefusals refusals;

    @Inject
    public FrontDoorSmtpServerFactory(DNSService dns, ProtocolHandlerLoader loader, FileSystem fileSystem,
                                      MetricFactory metricFactory, FrontDoorRefusals refusals) {
        super(dns, loader, fileSystem, metricFactory);
        this.refusals = refusals;
    }

    @Override
    protected SMTPServer createServer() {
        return new FrontDoorSmtpServer(smtpMetrics, refusals);
    }
}
