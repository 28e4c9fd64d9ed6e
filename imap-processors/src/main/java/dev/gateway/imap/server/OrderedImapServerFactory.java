package dev.gateway.imap.server;

import javax.inject.Provider;

import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.decode.ImapDecoder;
import org.apache.james.imap.encode.ImapEncoder;
import org.apache.james.imapserver.netty.IMAPServer;
import org.apache.james.imapserver.netty.IMAPServerFactory;
import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.MetricFactory;

/** James's IMAP server factory, making {@link OrderedImapServer}s. */
public class OrderedImapServerFactory extends IMAPServerFactory {

    public OrderedImapServerFactory(FileSystem fileSystem, Provider<ImapDecoder> decoder, Provider<ImapEncoder> encoder,
                                    Provider<ImapProcessor> processor, MetricFactory metricFactory, GaugeRegistry gaugeRegistry) {
        super(fileSystem, decoder, encoder, processor, metricFactory, gaugeRegistry);
    }

    @Override
    protected IMAPServer createServer() {
        return new OrderedImapServer(decoder.get(), encoder.get(), processor.get(), imapMetrics, gaugeRegistry);
    }
}
