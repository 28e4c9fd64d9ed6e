package dev.gateway.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the server takes from {@code <working directory>/extensions-jars/}: every file under it, sub-folders included,
 * as James's {@code ExtendedClassLoader} puts them on the class path of named mailets, matchers, hooks and Guice
 * extension modules ({@code extensions.properties}).
 *
 * @param folder the folder searched
 * @param jars   the files found, relative to {@code folder}, in name order
 */
record ExtensionJars(Path folder, List<String> jars) {

    static final String FOLDER = "extensions-jars";

    ExtensionJars {
        jars = List.copyOf(jars);
    }

    static ExtensionJars scan(Path workingDirectory) {
        Path folder = workingDirectory.resolve(FOLDER);
        if (!Files.isDirectory(folder)) {
            return new ExtensionJars(folder, List.of());
        }
        try (Stream<Path> files = Files.walk(folder)) {
            return new ExtensionJars(folder, files.filter(Files::isRegularFile)
                .map(file -> folder.relativize(file).toString())
                .sorted()
                .toList());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + folder, e);
        }
    }

    /** {@code "2 in /srv/gateway/extensions-jars: a.jar, rules/b.jar"}, or {@code "none in ..."}. */
    String describe() {
        return jars.isEmpty()
            ? "none in " + folder
            : jars.size() + " in " + folder + ": " + String.join(", ", jars);
    }

    /**
     * The start-up failure explained when a class the configuration names was not found: its name, and where it was
     * looked for. Empty when the failure has another cause.
     */
    Optional<String> explain(Throwable startFailure) {
        for (Throwable cause = startFailure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ClassNotFoundException || cause instanceof NoClassDefFoundError) {
                return Optional.of("class " + cause.getMessage().replace('/', '.') + " named in the configuration was found"
                    + " neither on the server's class path nor in the extension jars searched (" + describe() + ")");
            }
        }
        return Optional.empty();
    }

    static String joined(List<String> names) {
        return names.isEmpty() ? "none" : String.join(", ", names);
    }
}
