package dev.gateway.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExtensionJarsTest {

    @TempDir
    Path work;

    @Test
    void aClassFolderIsPackedWithItsPackagesAndAJarIsCopied() throws Exception {
        Path classes = Files.createDirectories(work.resolve("target/classes/com/example/rules"));
        Files.write(classes.resolve("Rule.class"), new byte[] {(byte) 0xCA, (byte) 0xFE});
        Files.writeString(work.resolve("target/classes/extensions.properties"), "guice.extension.module=x");
        Path jar = Files.writeString(work.resolve("other-1.0.jar"), "not really a jar");
        Path home = Files.createDirectories(work.resolve("home"));

        new ExtensionJars(List.of(jar), List.of(work.resolve("target/classes"))).installInto(home);

        Path folder = home.resolve(ExtensionJars.FOLDER);
        assertThat(folder.resolve("other-1.0.jar")).hasContent("not really a jar");
        try (JarFile packed = new JarFile(folder.resolve("1-classes.jar").toFile())) {
            assertThat(Collections.list(packed.entries())).extracting(JarEntry::getName)
                .contains("com/example/rules/Rule.class", "extensions.properties");
        }
    }

    @Test
    void nothingToInstallLeavesTheHomeAlone() throws Exception {
        new ExtensionJars(List.of(), List.of()).installInto(work);

        assertThat(work.resolve(ExtensionJars.FOLDER)).doesNotExist();
    }
}
