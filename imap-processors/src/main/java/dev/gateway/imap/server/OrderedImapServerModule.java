package dev.gateway.imap.server;

import javax.inject.Provider;
import javax.inject.Singleton;

import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.decode.ImapDecoder;
import org.apache.james.imap.encode.ImapEncoder;
import org.apache.james.imapserver.netty.IMAPServerFactory;
import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.MetricFactory;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;

/**
 * Makes James's IMAP listeners {@link OrderedImapServer}s. An override of James's {@code IMAPServerModule}:
 * {@code Modules.override(new IMAPServerModule()).with(new OrderedImapServerModule())}.
 */
public class OrderedImapServerModule extends AbstractModule {

    @Provides
    @Singleton
    IMAPServerFactory provideServerFactory(FileSystem fileSystem, Provider<ImapDecoder> decoder, Provider<ImapEncoder> encoder,
                                           Provider<ImapProcessor> processor, MetricFactory metricFactory,
                                           GaugeRegistry gaugeRegistry) {
        return new OrderedImapServerFactory(fileSystem, decoder, encoder, processor, metricFactory, gaugeRegistry);
    }
}
