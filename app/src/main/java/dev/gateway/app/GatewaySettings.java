package dev.gateway.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.Optional;

import org.apache.james.server.core.configuration.Configuration.ConfigurationPath;

import dev.gateway.configoverlay.EffectiveConfiguration;

/**
 * Where the server finds its folders and which backend it assembles, read once at start-up.
 *
 * @param workingDirectory James's working directory ({@code var/}, {@code extensions-jars/})
 * @param configurationDirectory the folder holding smtpserver.xml, imapserver.xml and the rest
 * @param backend the storage backend
 * @param queue where the mail queues are kept
 * @param routingTable the routing table file (docs/routing.md); it need not exist
 * @param overlayDirectory the folder of configuration overlays (docs/configuration.md#overlays); it need not exist
 */
public record GatewaySettings(Path workingDirectory, Path configurationDirectory, StorageBackend backend, MailQueueBackend queue,
                              Path routingTable, Path overlayDirectory) {

    static final String WORKING_DIRECTORY = "working.directory";
    static final String CONFIGURATION_DIRECTORY = "gateway.conf";
    static final String BACKEND = "gateway.backend";
    static final String QUEUE = "gateway.queue";
    static final String ROUTING_TABLE = "gateway.routing";

    public GatewaySettings {
        if (!Files.isDirectory(configurationDirectory)) {
            throw new IllegalArgumentException("Configuration directory " + configurationDirectory + " does not exist");
        }
    }

    public static GatewaySettings fromSystemProperties() {
        Path workingDirectory = Path.of(required(WORKING_DIRECTORY)).toAbsolutePath().normalize();
        Path configurationDirectory = Optional.ofNullable(System.getProperty(CONFIGURATION_DIRECTORY))
            .map(Path::of)
            .orElse(workingDirectory.resolve("conf"))
            .toAbsolutePath()
            .normalize();
        StorageBackend backend = StorageBackend.parse(System.getProperty(BACKEND, StorageBackend.MEMORY.name()));
        MailQueueBackend queue = MailQueueBackend.parse(System.getProperty(QUEUE, MailQueueBackend.MEMORY.name()));
        Path routingTable = Optional.ofNullable(System.getProperty(ROUTING_TABLE)).filter(value -> !value.isBlank())
            .map(Path::of)
            .orElse(configurationDirectory.resolve("routing.yaml"))
            .toAbsolutePath()
            .normalize();
        Path overlayDirectory = Optional.ofNullable(System.getProperty(EffectiveConfiguration.OVERLAY_DIRECTORY_PROPERTY))
            .filter(value -> !value.isBlank())
            .map(Path::of)
            .orElse(EffectiveConfiguration.defaultOverlayDirectory(workingDirectory))
            .toAbsolutePath()
            .normalize();
        return new GatewaySettings(workingDirectory, configurationDirectory, backend, queue, routingTable, overlayDirectory);
    }

    /** James resolves {@code file://} followed by an absolute path as that path. */
    ConfigurationPath configurationPath() {
        return new ConfigurationPath("file://" + configurationDirectory + "/");
    }

    /** One of an enum's constants, named in any case; an unknown name is refused with the names allowed. */
    static <E extends Enum<E>> E choice(Class<E> type, String what, String value) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown " + what + " '" + value + "', expected one of "
                + Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT))
                    .collect(Collectors.joining(", ")), e);
        }
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("System property " + property + " is required (bin/gateway sets it)");
        }
        return value;
    }
}
