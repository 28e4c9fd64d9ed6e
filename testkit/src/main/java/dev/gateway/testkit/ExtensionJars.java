package dev.gateway.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * An integrator's code for the gateway under test, put where the gateway loads extensions from: its working
 * directory's {@code extensions-jars/}. Jars are copied as they are; a folder of compiled classes (Maven's
 * {@code target/classes}, which exists before {@code mvn package} makes the jar) is packed into a jar first, so that a
 * test in the {@code test} phase runs the very classes it tests.
 *
 * @param jars          jars to copy, each under its own file name
 * @param classFolders  folders of classes and resources, each packed into {@code <n>-<folder name>.jar}
 */
public record ExtensionJars(List<Path> jars, List<Path> classFolders) {

    /** The folder of the gateway's working directory it loads extension jars from. */
    public static final String FOLDER = "extensions-jars";

    public ExtensionJars {
        jars = List.copyOf(jars);
        classFolders = List.copyOf(classFolders);
    }

    public boolean isEmpty() {
        return jars.isEmpty() && classFolders.isEmpty();
    }

    /** Copies the jars and packs the class folders into {@code home}'s {@value #FOLDER}. */
    public void installInto(Path home) throws IOException {
        if (isEmpty()) {
            return;
        }
        Path folder = Files.createDirectories(home.resolve(FOLDER));
        for (Path jar : jars) {
            Files.copy(jar, folder.resolve(jar.getFileName()));
        }
        for (int i = 0; i < classFolders.size(); i++) {
            Path classes = classFolders.get(i).toAbsolutePath().normalize();
            pack(classes, folder.resolve((i + 1) + "-" + classes.getFileName() + ".jar"));
        }
    }

    private static void pack(Path classes, Path jar) throws IOException {
        if (!Files.isDirectory(classes)) {
            throw new IOException(classes + " is not a folder of classes (not compiled yet?)");
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().putValue("Manifest-Version", "1.0");
        try (OutputStream file = Files.newOutputStream(jar);
             JarOutputStream out = new JarOutputStream(file, manifest);
             Stream<Path> entries = Files.walk(classes)) {
            for (Path entry : entries.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(entry).toString().replace('\\', '/')));
                Files.copy(entry, out);
                out.closeEntry();
            }
        }
    }
}
