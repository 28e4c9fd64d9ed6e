package dev.gateway.configoverlay;

import java.util.Optional;

import org.w3c.dom.Element;

/**
 * Where an overlay's additions go among the existing steps: before or after the first step of a class, or at the
 * place the kind of addition has by default.
 *
 * @param where before, after, or the default place
 * @param anchorClass the class of the step named by {@code before} or {@code after}, as written in the file
 */
record Position(Where where, String anchorClass) {

    enum Where { DEFAULT, BEFORE, AFTER }

    static final Position DEFAULT = new Position(Where.DEFAULT, "");

    /** The {@code before} or {@code after} attribute of {@code element}; both at once is a mistake. */
    static Position of(Element element) {
        Optional<String> before = XmlFiles.attribute(element, "before");
        Optional<String> after = XmlFiles.attribute(element, "after");
        if (before.isPresent() && after.isPresent()) {
            throw new IllegalArgumentException("both before and after are set; say one");
        }
        return before.map(anchor -> new Position(Where.BEFORE, anchor))
            .or(() -> after.map(anchor -> new Position(Where.AFTER, anchor)))
            .orElse(DEFAULT);
    }

    /** The steps' class attributes name the anchor in full or by its simple name (James's mailets: "ToProcessor"). */
    boolean isAnchor(Element step) {
        String type = step.getAttribute("class").trim();
        return type.equals(anchorClass) || type.endsWith("." + anchorClass) || anchorClass.endsWith("." + type);
    }

    @Override
    public String toString() {
        return switch (where) {
            case DEFAULT -> "the default place";
            case BEFORE -> "before " + anchorClass;
            case AFTER -> "after " + anchorClass;
        };
    }
}
