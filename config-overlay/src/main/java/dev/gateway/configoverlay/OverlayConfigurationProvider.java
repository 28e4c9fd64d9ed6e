package dev.gateway.configoverlay;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.server.core.configuration.FileConfigurationProvider;
import org.apache.james.util.LoggingLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * James's configuration, with smtpserver and mailetcontainer taken from the {@link EffectiveConfiguration} (shared
 * chains resolved, overlays applied) and every other component from the files, as James reads them.
 */
public final class OverlayConfigurationProvider implements ConfigurationProvider {

    private static final Logger LOGGER = LoggerFactory.getLogger(OverlayConfigurationProvider.class);

    private final ConfigurationProvider files;
    private final EffectiveConfiguration effective;

    public OverlayConfigurationProvider(ConfigurationProvider files, EffectiveConfiguration effective) {
        this.files = files;
        this.effective = effective;
    }

    /**
     * Loads the effective configuration ({@link EffectiveConfiguration#load}) and says, at INFO, which overlay files
     * it applied: the first thing to check when the server does not do what the files seem to say.
     */
    public static OverlayConfigurationProvider load(ConfigurationProvider files, Path configurationDirectory, Path overlayDirectory) {
        EffectiveConfiguration effective = EffectiveConfiguration.load(configurationDirectory, overlayDirectory);
        if (effective.overlays().isEmpty()) {
            LOGGER.info("Configuration overlays: none in {}", overlayDirectory);
        } else {
            effective.overlays().forEach(file -> LOGGER.info("Configuration overlay applied: {}", file));
        }
        return new OverlayConfigurationProvider(files, effective);
    }

    @Override
    public HierarchicalConfiguration<ImmutableNode> getConfiguration(String component, LoggingLevel loggingLevel)
            throws ConfigurationException {
        // James asks for "file" or "file.part.subpart", as FileConfigurationProvider reads them.
        List<String> path = List.of(component.split("\\."));
        var document = effective.document(path.get(0));
        if (document.isEmpty()) {
            return files.getConfiguration(component, loggingLevel);
        }
        HierarchicalConfiguration<ImmutableNode> configuration = FileConfigurationProvider.getConfig(
            new ByteArrayInputStream(document.get().getBytes(StandardCharsets.UTF_8)));
        for (String part : path.subList(1, path.size())) {
            configuration = configuration.configurationAt(part);
        }
        return configuration;
    }
}
