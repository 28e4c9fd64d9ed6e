package dev.gateway.configoverlay;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code bin/gateway config show [smtpserver|mailetcontainer]}: prints the XML the server would read, shared chains
 * resolved and overlays applied, without starting it; a bad overlay is reported as a start would report it.
 * Reads the system properties the server reads: {@code gateway.conf}, {@code gateway.conf.overlay}, {@code working.directory}.
 */
public final class ShowConfiguration {

    private ShowConfiguration() {
    }

    public static void main(String[] args) {
        Path workingDirectory = Path.of(System.getProperty("working.directory", ".")).toAbsolutePath().normalize();
        Path configuration = Path.of(System.getProperty("gateway.conf", workingDirectory.resolve("conf").toString()))
            .toAbsolutePath().normalize();
        Path overlays = Optional.ofNullable(System.getProperty(EffectiveConfiguration.OVERLAY_DIRECTORY_PROPERTY))
            .filter(value -> !value.isBlank()).map(Path::of)
            .orElse(EffectiveConfiguration.defaultOverlayDirectory(workingDirectory));
        List<String> components = args.length == 0
            ? List.of(EffectiveConfiguration.SMTPSERVER, EffectiveConfiguration.MAILETCONTAINER)
            : List.of(args);
        try {
            EffectiveConfiguration effective = EffectiveConfiguration.load(configuration, overlays);
            // On stderr: one component's output stays an XML document that can be saved and diffed.
            System.err.println("configuration " + configuration + ", overlays in " + overlays + ": "
                + (effective.overlays().isEmpty() ? "none" : effective.overlays()));
            for (String component : components) {
                System.out.println(effective.document(component).orElseThrow(() -> new IllegalArgumentException(
                    "no " + component + ".xml in " + configuration + " (components: smtpserver, mailetcontainer)")));
            }
        } catch (ConfigurationFileException | IllegalArgumentException e) {
            System.err.println("gateway: " + e.getMessage());
            System.exit(1);
        }
    }
}
