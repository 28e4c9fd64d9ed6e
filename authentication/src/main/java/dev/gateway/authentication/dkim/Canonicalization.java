package dev.gateway.authentication.dkim;

import java.util.Arrays;

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
        return body(body, 0, body.length);
    }

    /**
     * The body held in {@code message} from {@code from} to {@code to}, in this form, in one pass over its bytes (the
     * relaxed form of a large body is most of a DKIM check's work). Relaxed: a run of spaces and tabs becomes one
     * space, and is dropped before a CRLF or at the very end; both forms drop empty lines at the end and end a
     * non-empty body with one CRLF; an empty body is a lone CRLF in the simple form and nothing in the relaxed one.
     */
    byte[] body(byte[] message, int from, int to) {
        byte[] out = new byte[to - from + 2];
        int length = 0;
        boolean pendingSpace = false;
        for (int i = from; i < to; i++) {
            byte b = message[i];
            if (this == RELAXED && (b == ' ' || b == '\t')) {
                pendingSpace = true;
                continue;
            }
            if (pendingSpace) {
                // Spaces before a CRLF end the line and are dropped; before anything else they are one space.
                if (!(b == '\r' && i + 1 < to && message[i + 1] == '\n')) {
                    out[length++] = ' ';
                }
                pendingSpace = false;
            }
            out[length++] = b;
        }
        if (length > 0 && !endsWithCrlf(out, length)) {
            out[length++] = '\r';
            out[length++] = '\n';
        }
        while (length >= 4 && endsWithCrlf(out, length) && endsWithCrlf(out, length - 2)) {
            length -= 2;
        }
        if (length == 2 && this == RELAXED) {
            length = 0;
        }
        if (length == 0 && this == SIMPLE) {
            return new byte[] {'\r', '\n'};
        }
        return Arrays.copyOf(out, length);
    }

    private static boolean endsWithCrlf(byte[] bytes, int length) {
        return length >= 2 && bytes[length - 2] == '\r' && bytes[length - 1] == '\n';
    }
}
