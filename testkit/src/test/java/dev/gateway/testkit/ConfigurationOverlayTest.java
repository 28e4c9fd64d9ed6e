package dev.gateway.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigurationOverlayTest {

    @TempDir
    Path work;

    @Test
    void theIntegratorsFilesReplaceOursAndEditsApplyLast() throws Exception {
        Path ours = Files.createDirectories(work.resolve("server-config"));
        Files.writeString(ours.resolve("smtpserver.xml"), "<chain><first/></chain>");
        Files.writeString(ours.resolve("dnsservice.xml"), "ours");
        Path theirs = Files.createDirectories(work.resolve("theirs"));
        Files.writeString(theirs.resolve("dnsservice.xml"), "theirs");
        Files.writeString(theirs.resolve("extra.properties"), "a=b");
        ConfigurationOverlay overlay = new ConfigurationOverlay(List.of(theirs), List.of(
            new ConfigurationOverlay.Edit("smtpserver.xml", ConfigurationOverlay.insertAfter("<first/>", "<mine/>"))));

        Path written = overlay.writeTo(work.resolve("conf"), ours);

        assertThat(written.resolve("smtpserver.xml")).hasContent("<chain><first/><mine/></chain>");
        assertThat(written.resolve("dnsservice.xml")).hasContent("theirs");
        assertThat(written.resolve("extra.properties")).hasContent("a=b");
        assertThat(ours.resolve("smtpserver.xml")).as("the tree's own file").hasContent("<chain><first/></chain>");
    }

    @Test
    void anEditWhoseAnchorIsMissingFailsRatherThanRunWithoutTheRule() throws Exception {
        Path ours = Files.createDirectories(work.resolve("server-config"));
        Files.writeString(ours.resolve("smtpserver.xml"), "<chain/>");
        ConfigurationOverlay overlay = new ConfigurationOverlay(List.of(), List.of(
            new ConfigurationOverlay.Edit("smtpserver.xml", ConfigurationOverlay.insertAfter("<first/>", "<mine/>"))));

        assertThatThrownBy(() -> overlay.writeTo(work.resolve("conf"), ours))
            .hasMessageContaining("anchor not found").hasMessageContaining("<first/>");
    }
}
