package dev.gateway.configoverlay;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * One overlay file of the overlay folder, read and checked on its own: what it adds to smtpserver.xml and
 * mailetcontainer.xml. Whether its processors and anchors exist is checked when it is applied ({@link ApplyOverlays}).
 *
 * <pre>{@code
 * <overlay>
 *   <handlers [listeners="mx submission"] [before="CLASS" | after="CLASS"]>  <handler class="..."/>...  </handlers>
 *   <mailets processor="STATE" [before="CLASS" | after="CLASS"]>  <mailet match="..." class="..."/>...  </mailets>
 *   <processor state="NEW-STATE"> <mailet .../>... </processor>
 * </overlay>
 * }</pre>
 *
 * @param file the overlay file, named in every error about it
 * @param handlers SMTP handlers to add to listeners' chains
 * @param mailets mailets to add to existing processors
 * @param processors new processors
 */
record Overlay(Path file, List<Handlers> handlers, List<Mailets> mailets, List<Element> processors) {

    /** @param listeners the jmxNames of the listeners to add to; empty: every listener */
    record Handlers(Set<String> listeners, Position position, List<Element> handlers) {
    }

    record Mailets(String processor, Position position, List<Element> mailets) {
    }

    static Overlay read(Path file) {
        Document document = XmlFiles.read(file);
        Element root = document.getDocumentElement();
        if (!root.getTagName().equals("overlay")) {
            throw new ConfigurationFileException(file, "the root element is <" + root.getTagName() + ">, expected <overlay>");
        }
        List<Handlers> handlers = new ArrayList<>();
        List<Mailets> mailets = new ArrayList<>();
        List<Element> processors = new ArrayList<>();
        for (Element element : XmlFiles.children(root)) {
            try {
                switch (element.getTagName()) {
                    case "handlers" -> handlers.add(new Handlers(listeners(element), Position.of(element),
                        steps(element, "handler")));
                    case "mailets" -> mailets.add(new Mailets(
                        XmlFiles.attribute(element, "processor")
                            .orElseThrow(() -> new IllegalArgumentException("the processor attribute is missing")),
                        Position.of(element), steps(element, "mailet")));
                    case "processor" -> {
                        XmlFiles.attribute(element, "state")
                            .orElseThrow(() -> new IllegalArgumentException("the state attribute is missing"));
                        processors.add(element);
                    }
                    default -> throw new IllegalArgumentException(
                        "unknown element; an overlay holds <handlers>, <mailets> and <processor>");
                }
            } catch (IllegalArgumentException e) {
                throw new ConfigurationFileException(file, XmlFiles.describe(element) + ": " + e.getMessage(), e);
            }
        }
        return new Overlay(file, List.copyOf(handlers), List.copyOf(mailets), List.copyOf(processors));
    }

    private static Set<String> listeners(Element element) {
        return XmlFiles.attribute(element, "listeners")
            .map(names -> Set.of(names.split("[\\s,]+")))
            .orElse(Set.of());
    }

    /** The steps of an addition: at least one, each an element named {@code name} with a class. */
    private static List<Element> steps(Element addition, String name) {
        List<Element> steps = XmlFiles.children(addition);
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("adds nothing: write one <" + name + " class=\"...\"> or more in it");
        }
        for (Element step : steps) {
            if (!step.getTagName().equals(name)) {
                throw new IllegalArgumentException(XmlFiles.describe(step) + " where <" + name + "> was expected");
            }
            if (XmlFiles.attribute(step, "class").isEmpty()) {
                throw new IllegalArgumentException(XmlFiles.describe(step) + " has no class");
            }
        }
        return steps;
    }
}
