package dev.gateway.configoverlay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.w3c.dom.Document;

/**
 * smtpserver.xml and mailetcontainer.xml as the server uses them: the configuration folder's files with their shared
 * handler chains resolved and the overlay folder's files applied, in the order of their names. Built once at
 * start-up, so that a bad file stops the start rather than the first connection.
 *
 * @param documents the effective XML of each component, by component name ({@code smtpserver}, {@code mailetcontainer})
 * @param overlays the overlay files applied, in order
 */
public record EffectiveConfiguration(Map<String, String> documents, List<Path> overlays) {

    /** The system property naming the overlay folder; {@code bin/gateway} sets it from GATEWAY_CONF_OVERLAY. */
    public static final String OVERLAY_DIRECTORY_PROPERTY = "gateway.conf.overlay";
    public static final String SMTPSERVER = "smtpserver";
    public static final String MAILETCONTAINER = "mailetcontainer";

    public EffectiveConfiguration {
        documents = Map.copyOf(documents);
        overlays = List.copyOf(overlays);
    }

    /** The overlay folder when none is set: {@code conf.d} in the working directory, outside server-config/. */
    public static Path defaultOverlayDirectory(Path workingDirectory) {
        return workingDirectory.resolve("conf.d");
    }

    /**
     * @param configurationDirectory the folder holding smtpserver.xml and mailetcontainer.xml
     * @param overlayDirectory the overlay folder; it need not exist
     * @throws ConfigurationFileException naming the file that cannot be used and why
     */
    public static EffectiveConfiguration load(Path configurationDirectory, Path overlayDirectory) {
        Path smtpFile = configurationDirectory.resolve(SMTPSERVER + ".xml");
        Path mailetFile = configurationDirectory.resolve(MAILETCONTAINER + ".xml");
        Optional<Document> smtpserver = optionalRead(smtpFile);
        Optional<Document> mailetcontainer = optionalRead(mailetFile);
        smtpserver.ifPresent(document -> SharedHandlerChains.resolve(smtpFile, document));

        List<Path> overlayFiles = overlayFiles(overlayDirectory);
        if (!overlayFiles.isEmpty()) {
            if (smtpserver.isEmpty() || mailetcontainer.isEmpty()) {
                throw new ConfigurationFileException(overlayDirectory, "overlays need " + smtpFile + " and " + mailetFile);
            }
            ApplyOverlays apply = new ApplyOverlays(smtpserver.get(), mailetcontainer.get());
            for (Path file : overlayFiles) {
                apply.apply(Overlay.read(file));
            }
        }

        Map<String, String> documents = new LinkedHashMap<>();
        smtpserver.ifPresent(document -> documents.put(SMTPSERVER, XmlFiles.write(document)));
        mailetcontainer.ifPresent(document -> documents.put(MAILETCONTAINER, XmlFiles.write(document)));
        return new EffectiveConfiguration(documents, overlayFiles);
    }

    public Optional<String> document(String component) {
        return Optional.ofNullable(documents.get(component));
    }

    /** A missing file is James's to report (it assumes an empty configuration), as without overlays. */
    private static Optional<Document> optionalRead(Path file) {
        return Files.isRegularFile(file) ? Optional.of(XmlFiles.read(file)) : Optional.empty();
    }

    /** The folder's {@code *.xml} files by name, so that {@code 10-x.xml} comes before {@code 20-y.xml}. */
    private static List<Path> overlayFiles(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".xml"))
                .filter(Files::isRegularFile)
                .sorted()
                .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the overlay folder " + directory, e);
        }
    }
}
