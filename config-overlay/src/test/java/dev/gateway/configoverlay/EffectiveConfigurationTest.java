package dev.gateway.configoverlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.server.core.configuration.FileConfigurationProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Overlays applied to the shipped smtpserver.xml and mailetcontainer.xml, read back as James reads them. */
class EffectiveConfigurationTest {

    private static final Path SHIPPED = Path.of("../server-config");

    @TempDir
    Path overlays;

    @BeforeEach
    void noOverlayYet() throws IOException {
        Files.createDirectories(overlays);
    }

    @Test
    void withoutOverlaysTheFilesAreAsShippedWithTheirChainsResolved() throws Exception {
        EffectiveConfiguration effective = EffectiveConfiguration.load(SHIPPED, overlays.resolve("missing"));

        assertThat(effective.overlays()).isEmpty();
        assertThat(handlers(effective, 0)).startsWith("dev.gateway.operations.CountSmtpResults", "dev.gateway.smtphooks.AuthPolicy")
            .endsWith("dev.gateway.smtphooks.CoreCmdHandlerLoaderWithoutGreeting");
        assertThat(mailets(effective, "local-delivery"))
            .containsExactly("dev.gateway.sieve.RunSieveScript", "AddDeliveredToHeader", "LocalDelivery");
    }

    @Test
    void handlersGoIntoEveryListenerBeforeTheCoreHandlersByDefault() throws Exception {
        overlay("10-hook.xml", """
            <overlay>
                <handlers><handler class="com.example.Hook"><setting>1</setting></handler></handlers>
            </overlay>
            """);

        EffectiveConfiguration effective = EffectiveConfiguration.load(SHIPPED, overlays);

        assertThat(effective.overlays()).containsExactly(overlays.resolve("10-hook.xml"));
        for (int listener = 0; listener < 4; listener++) {
            List<String> handlers = handlers(effective, listener);
            int hook = handlers.indexOf("com.example.Hook");
            assertThat(handlers.get(hook + 1)).as("listener %d", listener).contains("CoreCmdHandlerLoader");
        }
        assertThat(smtp(effective).getString("smtpserver(1).handlerchain.handler(" + handlers(effective, 1)
            .indexOf("com.example.Hook") + ").setting")).isEqualTo("1");
    }

    @Test
    void handlersGoBeforeOrAfterANamedHandlerOfTheListenersNamed() throws Exception {
        overlay("a.xml", """
            <overlay>
                <handlers listeners="mx mx-alt" before="dev.gateway.smtphooks.SpamFilter"><handler class="Before"/></handlers>
                <handlers listeners="submission" after="RequireAuthentication"><handler class="After"/></handlers>
            </overlay>
            """);

        EffectiveConfiguration effective = EffectiveConfiguration.load(SHIPPED, overlays);

        List<String> mx = handlers(effective, 0);
        assertThat(mx.get(mx.indexOf("Before") + 1)).isEqualTo("dev.gateway.smtphooks.SpamFilter");
        assertThat(handlers(effective, 3)).contains("Before").doesNotContain("After");
        List<String> submission = handlers(effective, 1);
        assertThat(submission.get(submission.indexOf("After") - 1)).isEqualTo("dev.gateway.smtphooks.RequireAuthentication");
        assertThat(handlers(effective, 2)).doesNotContain("Before", "After");
    }

    @Test
    void mailetsGoIntoANamedProcessorAndNewProcessorsAreAdded() throws Exception {
        overlay("20-mailets.xml", """
            <overlay>
                <processor state="archive">
                    <mailet match="All" class="ToRepository"><repositoryPath>repository://var/mail/archive/</repositoryPath></mailet>
                </processor>
                <mailets processor="transport" before="dev.gateway.mailets.RouteByTable">
                    <mailet match="All" class="SetMimeHeader"><name>X-Seen</name><value>yes</value></mailet>
                </mailets>
                <mailets processor="local-delivery">
                    <mailet match="All" class="First"/>
                </mailets>
                <mailets processor="archive" after="ToRepository">
                    <mailet match="All" class="Null"/>
                </mailets>
            </overlay>
            """);

        EffectiveConfiguration effective = EffectiveConfiguration.load(SHIPPED, overlays);

        List<String> transport = mailets(effective, "transport");
        assertThat(transport.get(transport.indexOf("SetMimeHeader") + 1)).isEqualTo("dev.gateway.mailets.RouteByTable");
        assertThat(mailets(effective, "local-delivery")).first().isEqualTo("First");
        assertThat(mailets(effective, "archive")).containsExactly("ToRepository", "Null");
    }

    @Test
    void filesApplyInTheOrderOfTheirNames() throws Exception {
        overlay("20-second.xml", "<overlay><mailets processor=\"root\"><mailet match=\"All\" class=\"Second\"/></mailets></overlay>");
        overlay("10-first.xml", "<overlay><mailets processor=\"root\"><mailet match=\"All\" class=\"First\"/></mailets></overlay>");
        overlay("notes.txt", "not an overlay");

        EffectiveConfiguration effective = EffectiveConfiguration.load(SHIPPED, overlays);

        assertThat(effective.overlays()).extracting(path -> path.getFileName().toString()).containsExactly("10-first.xml", "20-second.xml");
        // Each goes first in turn: the later file's mailet ends up before the earlier one's.
        assertThat(mailets(effective, "root")).startsWith("Second", "First");
    }

    @Test
    void anUnknownProcessorIsRefusedWithTheFileAndTheProcessors() throws Exception {
        Path file = overlay("bad.xml", "<overlay><mailets processor=\"transprot\"><mailet match=\"All\" class=\"X\"/></mailets></overlay>");

        assertThatThrownBy(() -> EffectiveConfiguration.load(SHIPPED, overlays))
            .isInstanceOf(ConfigurationFileException.class)
            .hasMessageStartingWith(file + ": <mailets processor=\"transprot\">: mailetcontainer.xml has no processor of that name")
            .hasMessageContaining("root, error, transport");
    }

    @Test
    void malformedXmlIsRefusedWithTheFileAndTheLine() throws Exception {
        Path file = overlay("broken.xml", "<overlay>\n<handlers>\n<handler class=\"X\">\n</handlers>\n</overlay>");

        assertThatThrownBy(() -> EffectiveConfiguration.load(SHIPPED, overlays))
            .isInstanceOf(ConfigurationFileException.class)
            .hasMessageStartingWith(file + ": malformed XML at line 4");
    }

    @Test
    void mistakesOfTheFormatAreRefusedWithTheElement() throws Exception {
        assertRefused("<overlays/>", "the root element is <overlays>, expected <overlay>");
        assertRefused("<overlay><handler class=\"X\"/></overlay>",
            "<handler class=\"X\">: unknown element; an overlay holds <handlers>, <mailets> and <processor>");
        assertRefused("<overlay><handlers/></overlay>", "<handlers>: adds nothing");
        assertRefused("<overlay><handlers><handler/></handlers></overlay>", "<handlers>: <handler> has no class");
        assertRefused("<overlay><handlers before=\"A\" after=\"B\"><handler class=\"X\"/></handlers></overlay>",
            "both before and after are set");
        assertRefused("<overlay><mailets><mailet class=\"X\"/></mailets></overlay>", "the processor attribute is missing");
        assertRefused("<overlay><handlers listeners=\"mx lmtp\"><handler class=\"X\"/></handlers></overlay>",
            "names listener 'lmtp', which smtpserver.xml does not have (listeners: mx, submission, smtps, mx-alt)");
        assertRefused("<overlay><handlers before=\"NoSuchHook\"><handler class=\"X\"/></handlers></overlay>",
            "nothing to add before NoSuchHook: listener mx's handler chain has no handler of that class");
        assertRefused("<overlay><handlers><handler class=\"org.apache.james.smtpserver.fastfail.MaxRcptHandler\"/></handlers></overlay>",
            "<handler class=\"org.apache.james.smtpserver.fastfail.MaxRcptHandler\">: listener mx's handler chain already has a handler of that class");
        assertRefused("<overlay><processor state=\"transport\"><mailet match=\"All\" class=\"X\"/></processor></overlay>",
            "mailetcontainer.xml already has a processor of that name");
    }

    @Test
    void otherComponentsComeFromTheFiles() throws Exception {
        overlay("10-hook.xml", "<overlay><handlers><handler class=\"X\"/></handlers></overlay>");
        EffectiveConfiguration effective = EffectiveConfiguration.load(SHIPPED, overlays);
        OverlayConfigurationProvider provider = new OverlayConfigurationProvider(
            (component, level) -> { throw new AssertionError("asked the files for " + component); }, effective);

        assertThat(provider.getConfiguration("smtpserver").getList(String.class, "smtpserver(0).handlerchain.handler[@class]"))
            .contains("X");
        // A part of a component, as James asks for it; ${env:...} defaults are read as from the file.
        assertThat(provider.getConfiguration("mailetcontainer.spooler").getString("threads"))
            .isEqualTo(System.getenv().getOrDefault("GATEWAY_SPOOLER_THREADS", "20"));
        assertThatThrownBy(() -> provider.getConfiguration("imapserver")).hasMessage("asked the files for imapserver");
    }

    private void assertRefused(String overlay, String problem) throws IOException {
        Path file = overlay("mistake.xml", overlay);
        assertThatThrownBy(() -> EffectiveConfiguration.load(SHIPPED, overlays))
            .isInstanceOf(ConfigurationFileException.class)
            .hasMessageStartingWith(file + ": ")
            .hasMessageContaining(problem);
    }

    private Path overlay(String name, String xml) throws IOException {
        return Files.writeString(overlays.resolve(name), xml);
    }

    private static HierarchicalConfiguration<ImmutableNode> smtp(EffectiveConfiguration effective) throws Exception {
        return FileConfigurationProvider.getConfig(new java.io.ByteArrayInputStream(
            effective.document("smtpserver").orElseThrow().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static List<String> handlers(EffectiveConfiguration effective, int listener) throws Exception {
        return smtp(effective).getList(String.class, "smtpserver(" + listener + ").handlerchain.handler[@class]");
    }

    private static List<String> mailets(EffectiveConfiguration effective, String processor) throws Exception {
        HierarchicalConfiguration<ImmutableNode> mailetcontainer = FileConfigurationProvider.getConfig(new java.io.ByteArrayInputStream(
            effective.document("mailetcontainer").orElseThrow().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        for (HierarchicalConfiguration<ImmutableNode> candidate : mailetcontainer.configurationsAt("processors.processor")) {
            if (candidate.getString("[@state]").equals(processor)) {
                return candidate.getList(String.class, "mailet[@class]");
            }
        }
        throw new AssertionError("no processor " + processor);
    }
}
