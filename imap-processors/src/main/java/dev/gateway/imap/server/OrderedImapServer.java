package dev.gateway.imap.server;

import java.util.concurrent.TimeUnit;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.imap.api.ImapConfiguration;
import org.apache.james.imap.api.ImapConstants;
import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.decode.ImapDecoder;
import org.apache.james.imap.encode.ImapEncoder;
import org.apache.james.imapserver.netty.IMAPServer;
import org.apache.james.imapserver.netty.ImapMetrics;
import org.apache.james.metrics.api.GaugeRegistry;

import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * James's IMAP server with {@link OrderedCommandHandler} as each connection's command handler. Configured by the
 * same {@code <imapserver>} element, plus two settings of ours:
 * <pre>{@code
 * <imapserver>
 *     ...
 *     <!-- commands a client may pipeline before the server stops reading from it until they are answered -->
 *     <pipelineLimit>32</pipelineLimit>
 *     <!-- commands answered BAD after which the connection is told BYE and closed -->
 *     <invalidCommandLimit>20</invalidCommandLimit>
 * </imapserver>
 * }</pre>
 * James's {@code concurrentRequests} and {@code maxQueueSize} (its server-wide throttler) no longer apply: each
 * connection runs one command at a time, and the connection limits bound how many run at once.
 */
final class OrderedImapServer extends IMAPServer {

    static final int DEFAULT_PIPELINE_LIMIT = 32;
    /** Dovecot's CLIENT_MAX_BAD_COMMANDS. */
    static final int DEFAULT_INVALID_COMMAND_LIMIT = 20;

    private final ImapProcessor processor;
    private final ImapEncoder encoder;
    private final ImapMetrics metrics;
    private Settings settings;

    /** What James keeps private in IMAPServer and the handler needs, read from the same configuration. */
    private record Settings(String hello, boolean compress, AuthenticationConfiguration authentication,
                            int heartbeatSeconds, int pipelineLimit, int invalidCommandLimit) {
    }

    OrderedImapServer(ImapDecoder decoder, ImapEncoder encoder, ImapProcessor processor, ImapMetrics metrics,
                      GaugeRegistry gaugeRegistry) {
        super(decoder, encoder, processor, metrics, gaugeRegistry);
        this.processor = processor;
        this.encoder = encoder;
        this.metrics = metrics;
    }

    @Override
    public void doConfigure(HierarchicalConfiguration<ImmutableNode> configuration) throws ConfigurationException {
        super.doConfigure(configuration);
        int pipelineLimit = configuration.getInt("pipelineLimit", DEFAULT_PIPELINE_LIMIT);
        if (pipelineLimit < 1) {
            throw new ConfigurationException("pipelineLimit must be at least 1, not " + pipelineLimit);
        }
        int invalidCommandLimit = configuration.getInt("invalidCommandLimit", DEFAULT_INVALID_COMMAND_LIMIT);
        if (invalidCommandLimit < 1) {
            throw new ConfigurationException("invalidCommandLimit must be at least 1, not " + invalidCommandLimit);
        }
        long heartbeat = TimeUnit.valueOf(configuration.getString("idleTimeIntervalUnit", "SECONDS"))
            .toSeconds(configuration.getLong("idleTimeInterval", ImapConfiguration.DEFAULT_HEARTBEAT_INTERVAL_IN_SECONDS));
        settings = new Settings(
            "JAMES " + ImapConstants.VERSION + " Server " + getHelloName() + " is ready.",
            configuration.getBoolean("compress", false),
            AuthenticationConfiguration.parse(configuration),
            Math.toIntExact(heartbeat),
            pipelineLimit,
            invalidCommandLimit);
    }

    @Override
    protected ChannelInboundHandlerAdapter createCoreHandler() {
        return new OrderedCommandHandler(settings.hello(), processor, encoder, settings.compress(), getEncryption(), metrics,
            settings.authentication(), settings.heartbeatSeconds(), settings.pipelineLimit(),
            settings.invalidCommandLimit());
    }
}
