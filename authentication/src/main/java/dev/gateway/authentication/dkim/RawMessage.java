package dev.gateway.authentication.dkim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * A message as the bytes that travel: its header fields, each kept exactly as received (continuation lines and
 * final CRLF included), and its body. DKIM hashes these bytes, so nothing is parsed or re-encoded. Bytes map one to
 * one onto ISO-8859-1 characters, which keeps 8-bit headers intact. Bare LF line ends are read as CRLF.
 */
public final class RawMessage {
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final List<HeaderField> headers;
    // The whole message with CRLF line ends, and where its body starts. Kept rather than copied: a message is
    // read, checked and rewritten once per delivery, and each copy of a large one costs as much as the check.
    private final byte[] message;
    private final int bodyStart;

    private RawMessage(List<HeaderField> headers, byte[] message, int bodyStart) {
        this.headers = List.copyOf(headers);
        this.message = message;
        this.bodyStart = bodyStart;
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

    /**
     * The message in {@code message}, which the caller hands over: it is kept as it is (unless a bare LF makes a
     * CRLF copy necessary) and must not be changed afterwards.
     */
    public static RawMessage parse(byte[] message) {
        int bareLineFeeds = bareLineFeeds(message);
        byte[] text = bareLineFeeds == 0 ? message : withCrlfLineEnds(message, bareLineFeeds);
        List<HeaderField> headers = new ArrayList<>();
        int position = 0;
        StringBuilder current = null;
        while (position < text.length) {
            int end = indexOfCrlf(text, position);
            if (end == position) {
                position += 2;
                break;
            }
            String line = end < 0 ? latin1(text, position, text.length) + "\r\n" : latin1(text, position, end + 2);
            position = end < 0 ? text.length : end + 2;
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
        return new RawMessage(headers, text, Math.min(position, text.length));
    }

    private static int bareLineFeeds(byte[] message) {
        int count = 0;
        for (int i = 0; i < message.length; i++) {
            if (isBareLineFeed(message, i)) {
                count++;
            }
        }
        return count;
    }

    /** Every LF not preceded by a CR becomes CRLF: {@code bareLineFeeds} bytes longer. */
    private static byte[] withCrlfLineEnds(byte[] message, int bareLineFeeds) {
        byte[] out = new byte[message.length + bareLineFeeds];
        int position = 0;
        for (int i = 0; i < message.length; i++) {
            if (isBareLineFeed(message, i)) {
                out[position++] = CR;
            }
            out[position++] = message[i];
        }
        return out;
    }

    private static boolean isBareLineFeed(byte[] message, int i) {
        return message[i] == LF && (i == 0 || message[i - 1] != CR);
    }

    private static int indexOfCrlf(byte[] text, int from) {
        for (int i = from; i + 1 < text.length; i++) {
            if (text[i] == CR && text[i + 1] == LF) {
                return i;
            }
        }
        return -1;
    }

    private static String latin1(byte[] text, int from, int to) {
        return new String(text, from, to - from, StandardCharsets.ISO_8859_1);
    }

    public List<HeaderField> headers() {
        return headers;
    }

    public byte[] body() {
        return Arrays.copyOfRange(message, bodyStart, message.length);
    }

    /** The body in a DKIM canonical form, read in place. */
    byte[] body(Canonicalization form) {
        return form.body(message, bodyStart, message.length);
    }

    public List<HeaderField> headers(String name) {
        return headers.stream().filter(field -> field.named(name)).toList();
    }

    /** This message with the given fields on top (each a complete field ending in CRLF) and some fields left out. */
    public byte[] rewrite(List<String> prepend, Predicate<HeaderField> drop) {
        List<byte[]> fields = new ArrayList<>(prepend.size() + headers.size());
        prepend.forEach(field -> fields.add(field.getBytes(StandardCharsets.ISO_8859_1)));
        headers.stream().filter(drop.negate())
            .forEach(field -> fields.add(field.raw().getBytes(StandardCharsets.ISO_8859_1)));
        int bodyLength = message.length - bodyStart;
        byte[] out = new byte[fields.stream().mapToInt(field -> field.length).sum() + 2 + bodyLength];
        int position = 0;
        for (byte[] field : fields) {
            System.arraycopy(field, 0, out, position, field.length);
            position += field.length;
        }
        out[position++] = CR;
        out[position++] = LF;
        System.arraycopy(message, bodyStart, out, position, bodyLength);
        return out;
    }

    static String lower(String text) {
        return text.toLowerCase(Locale.ROOT);
    }
}
