package dev.gateway.app;

import java.util.Optional;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.backends.cassandra.utils.CassandraHealthCheck;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.GuiceJamesServer;
import org.apache.james.modules.MailboxModule;
import org.apache.james.modules.MailetProcessingModule;
import org.apache.james.modules.protocols.IMAPServerModule;
import org.apache.james.modules.protocols.POP3ServerModule;
import org.apache.james.modules.protocols.ProtocolHandlerModule;
import org.apache.james.modules.protocols.SMTPServerModule;
import org.apache.james.modules.server.DataRoutesModules;
import org.apache.james.modules.server.MailQueueRoutesModule;
import org.apache.james.modules.server.MailRepositoriesRoutesModule;
import org.apache.james.modules.server.MailboxRoutesModule;
import org.apache.james.modules.server.MailetContainerModule;
import org.apache.james.modules.server.NoJwtModule;
import org.apache.james.modules.server.RawPostDequeueDecoratorModule;
import org.apache.james.modules.server.ServerRouteModule;
import org.apache.james.modules.server.TaskManagerModule;
import org.apache.james.modules.server.WebAdminServerModule;
import org.apache.james.server.core.configuration.Configuration;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.server.core.configuration.FileConfigurationProvider;
import org.apache.james.server.core.filesystem.FileSystemImpl;
import org.apache.james.utils.PropertiesProvider;

import dev.gateway.configoverlay.OverlayConfigurationProvider;
import dev.gateway.events.rabbitmq.RabbitMQEventBusModule;

import dev.gateway.imap.server.OrderedImapServerModule;
import dev.gateway.operations.OperationsModule;
import dev.gateway.sieve.SieveServerModule;
import dev.gateway.storage.cassandra.guice.CassandraCountersModule;
import dev.gateway.storage.cassandra.guice.CassandraRoutingModule;
import dev.gateway.storage.cassandra.guice.CassandraSessionModule;
import dev.gateway.storage.cassandra.guice.CassandraSpamThresholdsModule;
import dev.gateway.storage.cassandra.guice.QueueBytesInBlobStoreModule;

import com.google.inject.Module;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.util.Modules;

import dev.gateway.authentication.AuthenticationModule;

/** The Guice modules of the Gateway assembly, grouped by what they serve. */
public final class GatewayModules {

    /**
     * SMTP (MX, submission, SMTPS), IMAP and IMAPS, POP3 and POP3S: ports and TLS come from the configuration. The IMAP
     * listeners schedule commands our way (docs/imap-processors/ordered-commands.md). ManageSieve on 4190 (docs/sieve.md).
     */
    static final Module PROTOCOLS = Modules.combine(
        new ProtocolHandlerModule(),
        Modules.override(new SMTPServerModule()).with(new FrontDoorSmtpServerModule()),
        Modules.override(new IMAPServerModule()).with(new OrderedImapServerModule()),
        new POP3ServerModule(),
        SieveServerModule.MODULE);

    /** The HTTP administration API: domains, users, mail queues, mail repositories, mailboxes. */
    static final Module WEBADMIN = Modules.combine(
        new WebAdminServerModule(),
        new DataRoutesModules(),
        new MailQueueRoutesModule(),
        new MailRepositoriesRoutesModule(),
        new MailboxRoutesModule(),
        // POST /servers?reload-certificate: every listener reads its TLS certificate again (bin/gateway tls reload).
        new ServerRouteModule(),
        // bin/gateway queue: filtered listing, hold and release (docs/operations.md).
        new OperationsModule(),
        // WebAdmin falls back to JMAP's token verifier when JWT is configured; we ship no JMAP.
        new NoJwtModule());

    /** Mail processing: the spooler, the mailet container and the mailbox layer, whatever the backend. */
    static final Module PROCESSING = Modules.combine(
        new MailetProcessingModule(),
        new MailboxModule(),
        new TaskManagerModule(),
        new RawPostDequeueDecoratorModule(),
        // mailetcontainer.xml always declares every processor, so James's built-in defaults are never used.
        binder -> binder.bind(MailetContainerModule.DefaultProcessorsConfigurationSupplier.class)
            .toInstance(BaseHierarchicalConfiguration::new));

    /** James's "Cassandra backend" entry of /healthcheck: a query on the gateway's session. */
    static final Module CASSANDRA_HEALTH = binder -> Multibinder.newSetBinder(binder, HealthCheck.class)
        .addBinding().to(CassandraHealthCheck.class);

    static GuiceJamesServer server(Configuration configuration, GatewaySettings settings) {
        StorageBackend backend = settings.backend();
        MailQueueBackend queue = settings.queue();
        boolean cassandra = backend.needsCassandra() || queue.needsCassandra();
        Module storage = cassandra
            ? Modules.combine(backend.module(), queue.module(), new CassandraSessionModule(), CASSANDRA_HEALTH)
            : Modules.combine(backend.module(), queue.module());
        if (backend.needsCassandra() && queue.needsCassandra()) {
            // One copy of each message: the queue keeps large mail's bytes in the mailboxes' blob store.
            storage = Modules.combine(storage, new QueueBytesInBlobStoreModule());
        }
        // Mailboxes shared by several nodes: their events too, through RabbitMQ when rabbitmq.properties names one.
        Optional<RabbitMQEventBusModule> sharedEvents = backend.needsCassandra() ? rabbitMQEvents(configuration) : Optional.empty();
        if (sharedEvents.isPresent()) {
            storage = Modules.override(storage).with(sharedEvents.get());
        }
        // Nodes sharing a Cassandra share their lockouts, sending limits, spam thresholds and routing table too.
        Module policy = cassandra
            ? Modules.override(new PolicyModule()).with(new CassandraCountersModule(), new CassandraSpamThresholdsModule())
            : new PolicyModule();
        Module routing = cassandra
            ? Modules.override(new RoutingModule(settings.routingTable())).with(new CassandraRoutingModule(settings.routingTable()))
            : new RoutingModule(settings.routingTable());
        return GuiceJamesServer.forConfiguration(configuration)
            .combineWith(Modules.override(PROCESSING).with(new MailRepositoryProtocols()), PROTOCOLS, WEBADMIN,
                policy, routing, storage, new ExtensionsModule(settings.workingDirectory()))
            // Our DNS service in place of James's: ports, timeouts, temperror told apart (docs/authentication.md).
            .overrideWith(new AuthenticationModule())
            // smtpserver.xml's named handler chains resolved, conf.d overlays applied (docs/configuration.md#overlays).
            .overrideWith(overlaidConfiguration(configuration, settings));
    }

    /**
     * James's file configuration provider, with smtpserver and mailetcontainer as the overlays make them. Built here,
     * before Guice, so that a bad overlay stops the start at once with its file named.
     */
    private static Module overlaidConfiguration(Configuration configuration, GatewaySettings settings) {
        ConfigurationProvider overlaid = OverlayConfigurationProvider.load(
            new FileConfigurationProvider(new FileSystemImpl(configuration.directories()), configuration),
            settings.configurationDirectory(), settings.overlayDirectory());
        return binder -> binder.bind(ConfigurationProvider.class).toInstance(overlaid);
    }

    private static Optional<RabbitMQEventBusModule> rabbitMQEvents(Configuration configuration) {
        try {
            return RabbitMQEventBusModule.configured(
                new PropertiesProvider(new FileSystemImpl(configuration.directories()), configuration.configurationPath()));
        } catch (ConfigurationException e) {
            throw new IllegalArgumentException("rabbitmq.properties cannot be read: " + e.getMessage(), e);
        }
    }

    private GatewayModules() {
    }
}
