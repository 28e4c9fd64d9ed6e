package dev.gateway.configoverlay;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * Resolves the named SMTP handler chains of {@code smtpserver.xml} into the plain file James reads.
 *
 * <p>Chains are named once, under {@code <handlerchains>}, and a chain may take in another with
 * {@code <handlerchain ref="NAME"/>}. A listener's {@code <handlerchain ref="NAME">} becomes its own handlers (those
 * written in it: what differs per listener) followed by the named chain's, with the named chain's attributes
 * ({@code coreHandlersPackage}) unless the listener sets them. A file without {@code ref}s is left as it is.
 */
final class SharedHandlerChains {

    static final String CHAINS = "handlerchains";
    static final String CHAIN = "handlerchain";

    private final Path file;
    private final Map<String, Element> chains = new LinkedHashMap<>();

    private SharedHandlerChains(Path file) {
        this.file = file;
    }

    /** Rewrites {@code smtpserver} in place: every reference resolved, {@code <handlerchains>} gone. */
    static void resolve(Path file, Document smtpserver) {
        new SharedHandlerChains(file).resolveIn(smtpserver.getDocumentElement());
    }

    private void resolveIn(Element root) {
        for (Element definitions : XmlFiles.children(root, CHAINS)) {
            for (Element chain : XmlFiles.children(definitions)) {
                if (!chain.getTagName().equals(CHAIN)) {
                    throw problem(XmlFiles.describe(chain) + " in <handlerchains>: only <handlerchain name=\"...\"> belongs there");
                }
                String name = XmlFiles.attribute(chain, "name")
                    .orElseThrow(() -> problem("a <handlerchain> in <handlerchains> has no name"));
                if (chains.putIfAbsent(name, chain) != null) {
                    throw problem("two handler chains are named '" + name + "'");
                }
            }
            root.removeChild(definitions);
        }
        for (Element listener : XmlFiles.children(root, "smtpserver")) {
            for (Element chain : XmlFiles.children(listener, CHAIN)) {
                XmlFiles.attribute(chain, "ref").ifPresent(name -> resolveListenerChain(chain, name));
            }
        }
    }

    private void resolveListenerChain(Element chain, String name) {
        Element named = named(name, XmlFiles.describe(chain));
        chain.removeAttribute("ref");
        NamedNodeMap attributes = named.getAttributes();
        for (int i = 0; i < attributes.getLength(); i++) {
            Node attribute = attributes.item(i);
            if (!attribute.getNodeName().equals("name") && !chain.hasAttribute(attribute.getNodeName())) {
                chain.setAttribute(attribute.getNodeName(), attribute.getNodeValue());
            }
        }
        appendExpanded(chain, named, new ArrayDeque<>(List.of(name)));
    }

    /** Appends the handlers of {@code named} to {@code target}, taking in the chains it refers to. */
    private void appendExpanded(Element target, Element named, Deque<String> path) {
        Document document = target.getOwnerDocument();
        for (Node child = named.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element element && element.getTagName().equals(CHAIN)) {
                String name = XmlFiles.attribute(element, "ref")
                    .orElseThrow(() -> problem("a <handlerchain> inside handler chain '" + path.peekLast() + "' has no ref"));
                if (path.contains(name)) {
                    throw problem("handler chain '" + name + "' takes itself in: " + String.join(" -> ", path) + " -> " + name);
                }
                path.addLast(name);
                appendExpanded(target, named(name, "handler chain '" + path.peekFirst() + "'"), path);
                path.removeLast();
            } else {
                target.appendChild(document.importNode(child, true));
            }
        }
    }

    private Element named(String name, String where) {
        Element chain = chains.get(name);
        if (chain == null) {
            throw problem(where + " refers to handler chain '" + name + "', which <handlerchains> does not define"
                + (chains.isEmpty() ? "" : " (defined: " + String.join(", ", chains.keySet()) + ")"));
        }
        return chain;
    }

    private ConfigurationFileException problem(String what) {
        return new ConfigurationFileException(file, what);
    }
}
