package dev.gateway.smtphooks;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.protocols.netty.ChannelHandlerFactory;
import org.apache.james.smtpserver.netty.SMTPServer;
import org.apache.james.smtpserver.netty.SmtpMetrics;

/**
 * James's SMTP listener with {@link RefuseUnofferedPipelining} ahead of its line decoder, when the listener's element
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
    private final FrontDoorRefusals refusals;
    private boolean refuseUnofferedPipelining;

    public FrontDoorSmtpServer(SmtpMetrics metrics, FrontDoorRefusals refusals) {
        super(metrics);
        this.refusals = refusals;
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
