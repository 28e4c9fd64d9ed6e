package dev.gateway.authentication.dkim;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** RFC 6376 section 3.2 tag=value lists, as in DKIM-Signature fields and key records. */
final class TagList {
    private final Map<String, String> tags;

    private TagList(Map<String, String> tags) {
        this.tags = Map.copyOf(tags);
    }

    static TagList parse(String text) throws DkimException {
        Map<String, String> tags = new LinkedHashMap<>();
        for (String spec : text.split(";")) {
            if (spec.isBlank()) {
                continue;
            }
            int equals = spec.indexOf('=');
            if (equals < 0) {
                throw DkimException.permanent("tag without '=': " + spec.strip());
            }
            String name = spec.substring(0, equals).replaceAll("\\s+", "");
            String value = spec.substring(equals + 1).replace("\r\n", "").strip();
            if (tags.put(name, value) != null) {
                throw DkimException.permanent("tag " + name + " given twice");
            }
        }
        return new TagList(tags);
    }

    Optional<String> get(String name) {
        return Optional.ofNullable(tags.get(name));
    }

    String required(String name) throws DkimException {
        String value = tags.get(name);
        if (value == null) {
            throw DkimException.permanent("missing tag " + name + "=");
        }
        return value;
    }

    /** A value whose folding whitespace is not part of it (base64, colon lists). */
    static String compact(String value) {
        return value.replaceAll("[ \t\r\n]+", "");
    }
}
