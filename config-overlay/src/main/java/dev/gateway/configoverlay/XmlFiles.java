package dev.gateway.configoverlay;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

/** Reading configuration files into DOM trees, and writing them back, with errors that name the file and line. */
final class XmlFiles {

    private XmlFiles() {
    }

    static Document read(Path file) {
        try {
            return builder().parse(file.toFile());
        } catch (SAXParseException e) {
            throw new ConfigurationFileException(file,
                "malformed XML at line " + e.getLineNumber() + ", column " + e.getColumnNumber() + ": " + e.getMessage(), e);
        } catch (SAXException | IOException e) {
            throw new ConfigurationFileException(file, "cannot be read: " + e.getMessage(), e);
        }
    }

    static String write(Document document) {
        try {
            Transformer transformer = TransformerFactory.newInstance().newTransformer();
            transformer.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
            StringWriter out = new StringWriter();
            transformer.transform(new DOMSource(document), new StreamResult(out));
            return out.toString();
        } catch (TransformerException e) {
            throw new IllegalStateException("A parsed configuration cannot be written back", e);
        }
    }

    /** The element children of {@code parent}, in order. */
    static List<Element> children(Node parent) {
        List<Element> children = new ArrayList<>();
        for (Node child = parent.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element element) {
                children.add(element);
            }
        }
        return children;
    }

    static List<Element> children(Node parent, String name) {
        return children(parent).stream().filter(child -> child.getTagName().equals(name)).toList();
    }

    /** An attribute's value, absent when the attribute is missing or blank. */
    static Optional<String> attribute(Element element, String name) {
        return Optional.of(element.getAttribute(name)).map(String::trim).filter(value -> !value.isEmpty());
    }

    /** The opening tag of an element with its attributes, to name it in an error. */
    static String describe(Element element) {
        StringBuilder tag = new StringBuilder("<").append(element.getTagName());
        var attributes = element.getAttributes();
        for (int i = 0; i < attributes.getLength(); i++) {
            Node attribute = attributes.item(i);
            tag.append(' ').append(attribute.getNodeName()).append("=\"").append(attribute.getNodeValue()).append('"');
        }
        return tag.append('>').toString();
    }

    private static DocumentBuilder builder() {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            // Configuration is data, never a way to read other files or reach the network.
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            // The default handler would also print the error on stderr; the exception carries it.
            builder.setErrorHandler(new DefaultHandler());
            return builder;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("The JDK's XML parser refuses a standard setting", e);
        }
    }
}
