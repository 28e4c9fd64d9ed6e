package dev.gateway.app;

import java.util.Optional;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerMain;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.modules.RunArgumentsModule;
import org.slf4j.LoggerFactory;

import com.google.common.base.Throwables;

import dev.gateway.configoverlay.ConfigurationFileException;
import dev.gateway.operations.ConcurrentListenerShutdown;

/**
 * Entry point of the Gateway server: Apache James assembled with the modules a mail gateway needs and nothing else
 * (no JMAP, no JMX, no LMTP).
 *
 * <p>Reads six system properties, all set by {@code bin/gateway}:
 * <ul>
 *   <li>{@code working.directory}: where James keeps {@code var/} and looks for {@code extensions-jars/};</li>
 *   <li>{@code gateway.conf}: the configuration folder (a copy of {@code server-config/});</li>
 *   <li>{@code gateway.backend}: which storage backend to assemble, see {@link StorageBackend};</li>
 *   <li>{@code gateway.queue}: where mail queues are kept, see {@link MailQueueBackend};</li>
 *   <li>{@code gateway.routing}: the routing table file (default {@code routing.yaml} in the configuration folder);</li>
 *   <li>{@code gateway.conf.overlay}: the overlay folder (default {@code conf.d} in the working directory).</li>
 * </ul>
 */
public final class GatewayServer implements JamesServerMain {

    public static void main(String[] args) throws Exception {
        GatewaySettings settings = GatewaySettings.fromSystemProperties();
        // James would exit at once on a start-up error; the error comes back here to be explained first.
        System.setProperty("james.exit.on.startup.error", "false");
        try {
            GuiceJamesServer server = create(settings).overrideWith(new RunArgumentsModule(args));
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(server), "gateway-shutdown"));
        } catch (Exception | Error e) {
            // The launcher shows this line: a missing extension class is named, with the jars that were searched.
            // So is a configuration or overlay file that cannot be used: its name and the problem.
            String why = configurationProblem(e)
                .or(() -> ExtensionJars.scan(settings.workingDirectory()).explain(e))
                .map(reason -> ": " + reason).orElse("");
            LoggerFactory.getLogger(GatewayServer.class).error("Gateway did not start{}", why, e);
            // Threads started before the failure (the Cassandra driver's, ...) would keep a
            // half-started JVM alive; exiting tells the launcher, and any supervisor, at once.
            System.exit(1);
        }
    }

    /** James's own stop, after the listeners were closed together rather than one after the other. */
    private static void stop(GuiceJamesServer server) {
        try {
            server.getProbe(ConcurrentListenerShutdown.class).closeAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(GatewayServer.class).warn("Closing the listeners together failed; James closes them", e);
        }
        server.stop();
    }

    private static Optional<String> configurationProblem(Throwable failure) {
        return Throwables.getCausalChain(failure).stream()
            .filter(ConfigurationFileException.class::isInstance)
            .map(Throwable::getMessage)
            .findFirst();
    }

    /** The assembled server, not started: {@code main} starts it; benchmarks may override a binding first. */
    public static GuiceJamesServer create(GatewaySettings settings) {
        MemoryJamesConfiguration configuration = MemoryJamesConfiguration.builder()
            .workingDirectory(settings.workingDirectory().toFile())
            .configurationPath(settings.configurationPath())
            .build();
        return GatewayModules.server(configuration, settings);
    }
}
