package dev.gateway.authentication.dkim;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * A message as the bytes that travel: its header fields, each kept exactly as received (continuation lines and
 * final CRLF included), and its body. DKIM hashes these bytes, so nothing is parsed or re-encoded. Bytes map one to
 * one onto ISO-8859-1 characters, which keeps 8-bit headers intact. Bare LF line ends are read as CRLF.
 */
public final class RawMessage {
    private final List<HeaderField> headers;
    private final byte[] body;

    private RawMessage(List<HeaderField> headers, byte[] body) {
        this.headers = List.copyOf(headers);
        this.body = body;
    }

    /** One header field: its name as written, and the whole field (name, colon, value, every CRLF). */
    public record HeaderField(String name, String raw) {
        public boolean named(String other) {
            return name.equalsIgnoreCase(other);
        }

        /** The value: after the colon, unfolded, without the final CRLF. */
        public String value() {
            String value = raw.substring(raw.indexOf(':') + 1);
            return value.replace("\r\n", "").strip();
        }

        static HeaderField of(String raw) {
            int colon = raw.indexOf(':');
            String name = colon < 0 ? raw.strip() : raw.substring(0, colon).strip();
            return new HeaderField(name, raw);
        }
    }

    public static RawMessage parse(byte[] message) {
        String text = normalizeLineEnds(message);
        List<HeaderField> headers = new ArrayList<>();
        int position = 0;
        StringBuilder current = null;
        while (position < text.length()) {
            int end = text.indexOf("\r\n", position);
            String line = end < 0 ? text.substring(position) + "\r\n" : text.substring(position, end + 2);
            position = end < 0 ? text.length() : end + 2;
            if (line.equals("\r\n")) {
                break;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && current != null) {
                current.append(line);
                continue;
            }
            if (current != null) {
                headers.add(HeaderField.of(current.toString()));
            }
            current = new StringBuilder(line);
        }
        if (current != null) {
            headers.add(HeaderField.of(current.toString()));
        }
        byte[] body = text.substring(Math.min(position, text.length())).getBytes(StandardCharsets.ISO_8859_1);
        return new RawMessage(headers, body);
    }

    private static String normalizeLineEnds(byte[] message) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        if (text.indexOf('\n') < 0 || !text.replace("\r\n", "").contains("\n")) {
            return text;
        }
        return text.replace("\r\n", "\n").replace("\n", "\r\n");
    }

    public List<HeaderField> headers() {
        return headers;
    }

    public byte[] body() {
        return body.clone();
    }

    public List<HeaderField> headers(String name) {
        return headers.stream().filter(field -> field.named(name)).toList();
    }

    /** This message with the given fields on top (each a complete field ending in CRLF) and some fields left out. */
    public byte[] rewrite(List<String> prepend, Predicate<HeaderField> drop) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 4096);
        prepend.forEach(field -> out.writeBytes(field.getBytes(StandardCharsets.ISO_8859_1)));
        headers.stream().filter(drop.negate())
            .forEach(field -> out.writeBytes(field.raw().getBytes(StandardCharsets.ISO_8859_1)));
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(body);
        return out.toByteArray();
    }

    static String lower(String text) {
        return text.toLowerCase(Locale.ROOT);
    }
}
