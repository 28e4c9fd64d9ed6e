package dev.gateway.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExtensionJarsTest {

    @TempDir
    Path home;

    @Test
    void everyFileUnderTheFolderIsListedSubFoldersIncludedInNameOrder() throws Exception {
        Path folder = Files.createDirectories(home.resolve("extensions-jars/rules"));
        Files.writeString(folder.resolve("b.jar"), "");
        Files.writeString(folder.getParent().resolve("a.jar"), "");

        ExtensionJars jars = ExtensionJars.scan(home);

        assertThat(jars.jars()).containsExactly("a.jar", "rules/b.jar");
        assertThat(jars.describe()).isEqualTo("2 in " + home.resolve("extensions-jars") + ": a.jar, rules/b.jar");
    }

    @Test
    void noFolderIsNoJars() {
        assertThat(ExtensionJars.scan(home).describe()).isEqualTo("none in " + home.resolve("extensions-jars"));
    }

    @Test
    void aMissingClassDeepInTheStartFailureIsNamedWithTheJarsSearched() throws Exception {
        Files.createDirectories(home.resolve("extensions-jars"));
        Files.writeString(home.resolve("extensions-jars/rules.jar"), "");
        Exception failure = new IllegalStateException("Unable to provision",
            new RuntimeException("Cannot load mailet", new ClassNotFoundException("com.example.Missing")));

        assertThat(ExtensionJars.scan(home).explain(failure)).hasValue("class com.example.Missing named in the"
            + " configuration was found neither on the server's class path nor in the extension jars searched (1 in "
            + home.resolve("extensions-jars") + ": rules.jar)");
    }

    @Test
    void anotherStartFailureIsLeftAsItIs() {
        assertThat(ExtensionJars.scan(home).explain(new IllegalStateException("port in use"))).isEmpty();
    }
}
