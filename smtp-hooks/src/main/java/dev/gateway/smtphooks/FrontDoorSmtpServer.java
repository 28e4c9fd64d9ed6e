package dev.gateway.smtphooks;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolTransport;
import org.apache.james.protocols.lib.handler.HandlersPackage;
import org.apache.james.protocols.netty.ChannelHandlerFactory;
import org.apache.james.protocols.smtp.SMTPConfiguration;
import org.apache.james.protocols.smtp.SMTPProtocol;
import org.apache.james.smtpserver.netty.SMTPServer;
import org.apache.james.smtpserver.netty.SmtpMetrics;

import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * James's SMTP listener whose failures inside the server (a hook that throws while Cassandra is down) are answered
 * {@code 421 4.3.0} and closed, with one WARN line each ({@link FailClosingSmtpSession},
 * {@link FailureAnsweringCommandDispatcher}, {@link FailureAnsweringChannelHandler}), and with
 * {@link RefuseUnofferedPipelining} ahead of its line decoder, when the listener's element
 * says so (the MX listeners, off by default):
 *
 * <pre>{@code
 * <smtpserver>
 *     <refuseUnofferedPipelining>true</refuseUnofferedPipelining>
 *     ...
 * </smtpserver>
 * }</pre>
 */
public class FrontDoorSmtpServer extends SMTPServer {
    private final SmtpMetrics metrics;
    private final FrontDoorRefusals refusals;
    private boolean refuseUnofferedPipelining;
    private SMTPProtocol protocol;

    public FrontDoorSmtpServer(SmtpMetrics metrics, FrontDoorRefusals refusals) {
        super(metrics);
        this.metrics = metrics;
        this.refusals = refusals;
    }

    @Override
    protected void preInit() throws Exception {
        super.preInit();
        // As James's SMTPServer builds its protocol (which it keeps private), with this server's sessions. The
        // configuration must be an SMTPHandlerConfigurationDataImpl: ExtendedSMTPSession reads verifyIdentity from it.
        SMTPConfiguration configuration = this.new SMTPHandlerConfigurationDataImpl();
        protocol = new SMTPProtocol(getProtocolHandlerChain(), configuration) {
            @Override
            public ProtocolSession newSession(ProtocolTransport transport) {
                return new FailClosingSmtpSession(configuration, transport);
            }
        };
    }

    @Override
    protected ChannelInboundHandlerAdapter createCoreHandler() {
        return new FailureAnsweringChannelHandler(protocol, getEncryption(), proxyRequired, metrics);
    }

    @Override
    protected Class<? extends HandlersPackage> getCoreHandlersPackage() {
        return GatewayCoreCmdHandlerLoader.class;
    }

    @Override
    public void doConfigure(HierarchicalConfiguration<ImmutableNode> configuration) throws ConfigurationException {
        super.doConfigure(configuration);
        refuseUnofferedPipelining = configuration.getBoolean("refuseUnofferedPipelining", false);
    }

    @Override
    protected ChannelHandlerFactory createFrameHandlerFactory() {
        ChannelHandlerFactory lines = super.createFrameHandlerFactory();
        if (!refuseUnofferedPipelining) {
            return lines;
        }
        // The pipeline factory adds what this returns as the framer, right after whatever is added here.
        return pipeline -> {
            pipeline.addLast(RefuseUnofferedPipelining.NAME, new RefuseUnofferedPipelining(refusals));
            return lines.create(pipeline);
        };
    }
}
