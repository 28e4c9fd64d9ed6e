package dev.gateway.smtphooks;

import java.util.List;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolTransport;
import org.apache.james.protocols.lib.handler.HandlersPackage;
import org.apache.james.protocols.netty.AbstractChannelPipelineFactory;
import org.apache.james.protocols.netty.AbstractSSLAwareChannelPipelineFactory;
import org.apache.james.protocols.netty.ChannelHandlerFactory;
import org.apache.james.protocols.smtp.SMTPConfiguration;
import org.apache.james.protocols.smtp.SMTPProtocol;
import org.apache.james.protocols.smtp.core.DataLineFilter;
import org.apache.james.protocols.smtp.core.ReceivedDataLineFilter;
import org.apache.james.protocols.smtp.core.esmtp.MailSizeEsmtpExtension;
import org.apache.james.smtpserver.DataLineJamesMessageHookHandler;
import org.apache.james.smtpserver.netty.SMTPServer;
import org.apache.james.smtpserver.netty.SmtpMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p>Its line decoder runs on the connection's own I/O thread, beside the handler it feeds. James 3.8.1 puts the
 * decoder on a separate executor, so every line, each line of message data included, was handed from one thread to
 * the other as a task of its own. The decoder hands a message's body on in blocks of lines
 * ({@link DataChunkingLineDecoder}) when DATA's line filters are the shipped ones ({@link #DATA_FILTERS_FOR_BLOCKS}).
 */
public class FrontDoorSmtpServer extends SMTPServer {
    private static final Logger LOGGER = LoggerFactory.getLogger(FrontDoorSmtpServer.class);
    private static final String START_TLS = "starttls";
    /**
     * DATA's line filters, in order, that take a block of ordinary body lines as they take its lines one by one
     * ({@link DataChunkingLineDecoder}); with any other filter among them, message data is read line by line.
     */
    static final List<String> DATA_FILTERS_FOR_BLOCKS = List.of(
        RequireCrlfInData.class.getName(),
        SizeLimitReply.class.getName(),
        MailSizeEsmtpExtension.class.getName(),
        ReceivedDataLineFilter.class.getName(),
        DataLineJamesMessageHookHandler.class.getName());

    private final SmtpMetrics metrics;
    private final FrontDoorRefusals refusals;
    private boolean refuseUnofferedPipelining;
    private SMTPProtocol protocol;
    private boolean bodyInBlocks;

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
        List<String> dataFilters = getProtocolHandlerChain().getHandlers(DataLineFilter.class).stream()
            .map(filter -> filter.getClass().getName())
            .toList();
        bodyInBlocks = dataFilters.equals(DATA_FILTERS_FOR_BLOCKS);
        if (bodyInBlocks) {
            LOGGER.info("SMTP listener {}: message bodies read in blocks of lines", jmxName);
        } else {
            LOGGER.info("SMTP listener {}: message data read line by line, since its data filters {} are not {}",
                jmxName, dataFilters, DATA_FILTERS_FOR_BLOCKS);
        }
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
    protected AbstractChannelPipelineFactory createPipelineFactory() {
        // James's own pipeline, with no executor group for the decoder: Netty then runs it on the channel's event loop,
        // where the core handler (and every hook) already runs.
        return new AbstractSSLAwareChannelPipelineFactory<>(getTimeout(), connectionLimit, connPerIP, proxyRequired,
            this::getEncryption, getFrameHandlerFactory(), null) {
            @Override
            protected ChannelInboundHandlerAdapter createHandler() {
                return FrontDoorSmtpServer.this.createCoreHandler();
            }
        };
    }

    @Override
    protected ChannelHandlerFactory createFrameHandlerFactory() {
        ChannelHandlerFactory lines = bodyInBlocks
            ? pipeline -> new DataChunkingLineDecoder(pipeline, AbstractChannelPipelineFactory.MAX_LINE_LENGTH,
                START_TLS)
            : super.createFrameHandlerFactory();
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
