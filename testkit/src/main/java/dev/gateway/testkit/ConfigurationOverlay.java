package dev.gateway.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The configuration folder of a gateway under test: a copy of the tree's {@code server-config/}, then the files of
 * the integrator's folders on top (a file of the same name replaces ours), then edits of single files (e.g. one
 * handler inserted into {@code smtpserver.xml}). The gateway reads it through {@code GATEWAY_CONF}.
 *
 * @param folders folders whose files replace or add to ours, in order
 * @param edits   changes to single files, applied after the folders, in order
 */
public record ConfigurationOverlay(List<Path> folders, List<Edit> edits) {

    /** A change to one configuration file, given its text. */
    public record Edit(String file, UnaryOperator<String> change) {
    }

    public ConfigurationOverlay {
        folders = List.copyOf(folders);
        edits = List.copyOf(edits);
    }

    /** True when the gateway can run on {@code server-config/} itself. */
    public boolean isEmpty() {
        return folders.isEmpty() && edits.isEmpty();
    }

    /** Writes the configuration into {@code target} (which it creates) from {@code serverConfig}; returns target. */
    public Path writeTo(Path target, Path serverConfig) throws IOException {
        Files.createDirectories(target);
        copyFiles(serverConfig, target);
        for (Path folder : folders) {
            copyFiles(folder, target);
        }
        for (Edit edit : edits) {
            Path file = target.resolve(edit.file());
            String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
            Files.writeString(file, edit.change().apply(text), StandardCharsets.UTF_8);
        }
        return target;
    }

    private static void copyFiles(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path copy = to.resolve(from.relativize(file).toString());
                Files.createDirectories(copy.getParent());
                Files.copy(file, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /**
     * An edit that inserts {@code addition} right after the first {@code anchor}, failing (the start fails with it)
     * when the anchor is missing: a test must not run silently on a configuration its rule is not in.
     */
    public static UnaryOperator<String> insertAfter(String anchor, String addition) {
        return text -> {
            int at = text.indexOf(anchor);
            if (at < 0) {
                throw new IllegalArgumentException("anchor not found in the configuration: " + anchor);
            }
            int end = at + anchor.length();
            return text.substring(0, end) + addition + text.substring(end);
        };
    }
}
