package dev.gateway.configoverlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class SharedHandlerChainsTest {

    /** The shipped file, as the server reads it. */
    private static final Path SHIPPED = Path.of("../server-config/smtpserver.xml");
    /** The same file before its chains were named: every listener's chain written out in full. */
    private static final Path WRITTEN_OUT = Path.of("src/test/resources/smtpserver-written-out.xml");

    @TempDir
    Path folder;

    @Test
    void theShippedNamedChainsResolveToTheChainsTheyReplaced() {
        Document shipped = XmlFiles.read(SHIPPED);
        SharedHandlerChains.resolve(SHIPPED, shipped);

        Map<String, String> resolved = chainsByListener(shipped);
        assertThat(resolved).containsOnlyKeys("mx", "submission", "smtps", "mx-alt");
        assertThat(resolved).isEqualTo(chainsByListener(XmlFiles.read(WRITTEN_OUT)));
        assertThat(XmlFiles.children(shipped.getDocumentElement(), SharedHandlerChains.CHAINS)).isEmpty();
    }

    @Test
    void aListenersOwnHandlersComeFirstAndItsAttributesWin() throws IOException {
        Document document = resolve("""
            <smtpservers>
                <handlerchains>
                    <handlerchain name="tail"><handler class="T"/></handlerchain>
                    <handlerchain name="main" coreHandlersPackage="Core" other="x">
                        <handler class="A"/><handlerchain ref="tail"/><handler class="B"/>
                    </handlerchain>
                </handlerchains>
                <smtpserver><jmxName>one</jmxName>
                    <handlerchain ref="main" other="mine"><handler class="Own"/></handlerchain>
                </smtpserver>
                <smtpserver><jmxName>two</jmxName>
                    <handlerchain><handler class="Plain"/></handlerchain>
                </smtpserver>
            </smtpservers>
            """);

        Element one = chain(document, 0);
        assertThat(classes(one)).containsExactly("Own", "A", "T", "B");
        assertThat(one.getAttribute("coreHandlersPackage")).isEqualTo("Core");
        assertThat(one.getAttribute("other")).isEqualTo("mine");
        assertThat(one.hasAttribute("ref")).isFalse();
        assertThat(classes(chain(document, 1))).containsExactly("Plain");
    }

    @Test
    void anUnknownChainIsRefusedWithTheFileAndTheNamesDefined() {
        assertThatThrownBy(() -> resolve("""
            <smtpservers>
                <handlerchains><handlerchain name="inbound"><handler class="A"/></handlerchain></handlerchains>
                <smtpserver><handlerchain ref="inbond"/></smtpserver>
            </smtpservers>
            """))
            .isInstanceOf(ConfigurationFileException.class)
            .hasMessageContaining(folder.resolve("smtpserver.xml").toString())
            .hasMessageContaining("handler chain 'inbond', which <handlerchains> does not define (defined: inbound)");
    }

    @Test
    void aChainTakingItselfInIsRefused() {
        assertThatThrownBy(() -> resolve("""
            <smtpservers>
                <handlerchains>
                    <handlerchain name="a"><handlerchain ref="b"/></handlerchain>
                    <handlerchain name="b"><handlerchain ref="a"/></handlerchain>
                </handlerchains>
                <smtpserver><handlerchain ref="a"/></smtpserver>
            </smtpservers>
            """))
            .isInstanceOf(ConfigurationFileException.class)
            .hasMessageContaining("handler chain 'a' takes itself in: a -> b -> a");
    }

    @Test
    void twoChainsOfOneNameAreRefused() {
        assertThatThrownBy(() -> resolve("""
            <smtpservers><handlerchains>
                <handlerchain name="a"/><handlerchain name="a"/>
            </handlerchains></smtpservers>
            """))
            .hasMessageContaining("two handler chains are named 'a'");
    }

    private Document resolve(String xml) throws IOException {
        Path file = folder.resolve("smtpserver.xml");
        Files.writeString(file, xml);
        Document document = XmlFiles.read(file);
        SharedHandlerChains.resolve(file, document);
        return document;
    }

    private static Element chain(Document document, int listener) {
        Element server = XmlFiles.children(document.getDocumentElement(), "smtpserver").get(listener);
        return XmlFiles.children(server, "handlerchain").get(0);
    }

    private static List<String> classes(Element chain) {
        return XmlFiles.children(chain, "handler").stream().map(handler -> handler.getAttribute("class")).toList();
    }

    /** Each listener's chain, attributes and handlers with their settings, comments and layout left out. */
    static Map<String, String> chainsByListener(Document document) {
        Map<String, String> chains = new LinkedHashMap<>();
        for (Element server : XmlFiles.children(document.getDocumentElement(), "smtpserver")) {
            String name = XmlFiles.children(server, "jmxName").get(0).getTextContent().trim();
            chains.put(name, canonical(XmlFiles.children(server, "handlerchain").get(0)));
        }
        return chains;
    }

    private static String canonical(Element element) {
        StringBuilder out = new StringBuilder(XmlFiles.describe(element));
        List<Element> children = XmlFiles.children(element);
        if (children.isEmpty()) {
            out.append(element.getTextContent().trim());
        }
        children.forEach(child -> out.append('\n').append(canonical(child)));
        return out.append("</").append(element.getTagName()).append('>').toString();
    }
}
