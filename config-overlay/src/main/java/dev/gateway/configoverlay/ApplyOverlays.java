package dev.gateway.configoverlay;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Adds an overlay's steps to the resolved smtpserver.xml and mailetcontainer.xml trees, refusing, with the overlay
 * file's name, what cannot be placed: an unknown listener or processor, an anchor no step has, a processor that
 * already exists.
 */
final class ApplyOverlays {

    private final Document smtpserver;
    private final Document mailetcontainer;

    /** @param smtpserver smtpserver.xml with its shared chains resolved ({@link SharedHandlerChains}) */
    ApplyOverlays(Document smtpserver, Document mailetcontainer) {
        this.smtpserver = smtpserver;
        this.mailetcontainer = mailetcontainer;
    }

    /** New processors first, so that the same file can add mailets to a processor it creates. */
    void apply(Overlay overlay) {
        try {
            overlay.processors().forEach(this::addProcessor);
            overlay.handlers().forEach(this::addHandlers);
            overlay.mailets().forEach(this::addMailets);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationFileException(overlay.file(), e.getMessage(), e);
        }
    }

    private void addProcessor(Element processor) {
        String state = processor.getAttribute("state").trim();
        if (processors().containsKey(state)) {
            throw new IllegalArgumentException("<processor state=\"" + state + "\">: mailetcontainer.xml already has a processor "
                + "of that name; add to it with <mailets processor=\"" + state + "\">");
        }
        Element imported = (Element) mailetcontainer.importNode(processor, true);
        if (!imported.hasAttribute("enableJmx")) {
            // As every processor of ours: James would otherwise register MBeans we do not expose.
            imported.setAttribute("enableJmx", "false");
        }
        processorsElement().appendChild(imported);
    }

    private void addHandlers(Overlay.Handlers addition) {
        Map<String, Element> chains = listenerChains();
        for (String listener : addition.listeners()) {
            if (!chains.containsKey(listener)) {
                throw new IllegalArgumentException("<handlers listeners=\"...\"> names listener '" + listener
                    + "', which smtpserver.xml does not have (listeners: " + String.join(", ", chains.keySet()) + ")");
            }
        }
        chains.forEach((listener, chain) -> {
            if (addition.listeners().isEmpty() || addition.listeners().contains(listener)) {
                refuseSecondOfAClass(chain, addition.handlers(), listener);
                insert(chain, "handler", addition.position(), defaultHandlerPlace(chain), addition.handlers(),
                    "listener " + listener + "'s handler chain");
            }
        });
    }

    /**
     * James names each handler of a listener by its class for JMX, so a class twice in one chain fails the start with
     * an InstanceAlreadyExistsException that names neither the file nor the listener: said here instead.
     */
    private static void refuseSecondOfAClass(Element chain, List<Element> added, String listener) {
        List<String> present = new ArrayList<>(XmlFiles.children(chain, "handler").stream()
            .map(handler -> handler.getAttribute("class").trim()).toList());
        for (Element handler : added) {
            String type = handler.getAttribute("class").trim();
            if (present.contains(type)) {
                throw new IllegalArgumentException(XmlFiles.describe(handler) + ": listener " + listener
                    + "'s handler chain already has a handler of that class, and James takes one per class and listener");
            }
            present.add(type);
        }
    }

    private void addMailets(Overlay.Mailets addition) {
        Element processor = Optional.ofNullable(processors().get(addition.processor()))
            .orElseThrow(() -> new IllegalArgumentException("<mailets processor=\"" + addition.processor()
                + "\">: mailetcontainer.xml has no processor of that name (processors: "
                + String.join(", ", processors().keySet()) + ")"));
        Optional<Element> first = XmlFiles.children(processor, "mailet").stream().findFirst();
        insert(processor, "mailet", addition.position(), first, addition.mailets(), "processor " + addition.processor());
    }

    /**
     * Before the core command handler loader: the handlers it brings include the one that queues the message at the
     * end of DATA, after which no message hook runs. A chain without it takes the additions at its end.
     */
    private static Optional<Element> defaultHandlerPlace(Element chain) {
        return XmlFiles.children(chain, "handler").stream()
            .filter(handler -> simpleName(handler.getAttribute("class")).startsWith("CoreCmdHandlerLoader"))
            .findFirst();
    }

    /** Inserts copies of {@code steps} into {@code parent} at {@code position}; {@code defaultPlace} empty: at the end. */
    private static void insert(Element parent, String stepName, Position position, Optional<Element> defaultPlace,
                               List<Element> steps, String where) {
        Node before = switch (position.where()) {
            case DEFAULT -> defaultPlace.orElse(null);
            case BEFORE -> anchor(parent, stepName, position, where);
            case AFTER -> anchor(parent, stepName, position, where).getNextSibling();
        };
        Document document = parent.getOwnerDocument();
        for (Element step : steps) {
            parent.insertBefore(document.importNode(step, true), before);
        }
    }

    private static Element anchor(Element parent, String stepName, Position position, String where) {
        return XmlFiles.children(parent, stepName).stream().filter(position::isAnchor).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("nothing to add " + position + ": " + where
                + " has no " + stepName + " of that class"));
    }

    /** The handler chain of each listener, by jmxName (a listener without one is named by its position). */
    private Map<String, Element> listenerChains() {
        Map<String, Element> chains = new LinkedHashMap<>();
        List<Element> listeners = XmlFiles.children(smtpserver.getDocumentElement(), "smtpserver");
        for (int i = 0; i < listeners.size(); i++) {
            Element listener = listeners.get(i);
            String name = XmlFiles.children(listener, "jmxName").stream().findFirst()
                .map(element -> element.getTextContent().trim()).orElse("smtpserver-" + (i + 1));
            XmlFiles.children(listener, SharedHandlerChains.CHAIN).stream().findFirst()
                .ifPresent(chain -> chains.put(name, chain));
        }
        return chains;
    }

    private Map<String, Element> processors() {
        Map<String, Element> processors = new LinkedHashMap<>();
        XmlFiles.children(processorsElement(), "processor")
            .forEach(processor -> processors.put(processor.getAttribute("state").trim(), processor));
        return processors;
    }

    private Element processorsElement() {
        return XmlFiles.children(mailetcontainer.getDocumentElement(), "processors").stream().findFirst()
            .orElseThrow(() -> new IllegalArgumentException("mailetcontainer.xml has no <processors>"));
    }

    private static String simpleName(String className) {
        String trimmed = className.trim();
        return trimmed.substring(trimmed.lastIndexOf('.') + 1);
    }
}
