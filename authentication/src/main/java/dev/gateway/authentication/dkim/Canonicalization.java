package dev.gateway.authentication.dkim;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** RFC 6376 section 3.4: the "simple" and "relaxed" forms of header fields and of the body. */
public enum Canonicalization {
    SIMPLE,
    RELAXED;

    static Canonicalization parse(String name) throws DkimException {
        return switch (RawMessage.lower(name.strip())) {
            case "simple" -> SIMPLE;
            case "relaxed" -> RELAXED;
            default -> throw DkimException.permanent("unknown canonicalization " + name);
        };
    }

    /** One header field in this form, ending in CRLF. */
    String header(String rawField) {
        if (this == SIMPLE) {
            return rawField;
        }
        int colon = rawField.indexOf(':');
        String name = RawMessage.lower(rawField.substring(0, colon).strip());
        String value = rawField.substring(colon + 1).replace("\r\n", "")
            .replaceAll("[ \t]+", " ").strip();
        return name + ":" + value + "\r\n";
    }

    /** The body in this form (section 3.4.3 and 3.4.4). */
    byte[] body(byte[] body) {
        String text = new String(body, StandardCharsets.ISO_8859_1);
        if (this == RELAXED) {
            text = text.replaceAll("[ \t]+\r\n", "\r\n").replaceAll("[ \t]+", " ");
            if (!text.isEmpty() && !text.endsWith("\r\n")) {
                text = text.replaceAll("[ \t]+$", "") + "\r\n";
            }
        } else if (!text.isEmpty() && !text.endsWith("\r\n")) {
            text = text + "\r\n";
        }
        while (text.endsWith("\r\n\r\n")) {
            text = text.substring(0, text.length() - 2);
        }
        if (text.equals("\r\n") && this == RELAXED) {
            text = "";
        }
        if (text.isEmpty() && this == SIMPLE) {
            text = "\r\n";
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        out.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }
}
