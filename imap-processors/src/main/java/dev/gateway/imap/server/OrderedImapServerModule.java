package dev.gateway.imap.server;

import javax.inject.Provider;
import javax.inject.Singleton;

import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.decode.ImapCommandParserFactory;
import org.apache.james.imap.decode.main.DefaultImapDecoder;
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
    IMAPServerFactory provideServerFactory(FileSystem fileSystem, ImapCommandParserFactory parsers,
                                           StatusResponseFactory responses, Provider<ImapEncoder> encoder,
                                           Provider<ImapProcessor> processor, MetricFactory metricFactory,
                                           GaugeRegistry gaugeRegistry) {
        // James's decoder, with the state check of each command left to OrderedCommandHandler, the only handler that
        // opens what these parsers make.
        StateCheckDeferringParsers deferring = new StateCheckDeferringParsers(parsers, responses);
        return new OrderedImapServerFactory(fileSystem, () -> new DefaultImapDecoder(responses, deferring), encoder,
            processor, metricFactory, gaugeRegistry);
    }
}
