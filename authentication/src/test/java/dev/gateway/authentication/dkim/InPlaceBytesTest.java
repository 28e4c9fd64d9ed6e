package dev.gateway.authentication.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

/**
 * The byte-level parse, rewrite and body canonicalization of {@link RawMessage} and {@link Canonicalization} against
 * the string and regular-expression forms they replaced, kept here as the reference: over every text of up to seven
 * characters from an alphabet that holds every case the code distinguishes (space, tab, CR, LF, a colon, a letter).
 * The dkimpy interoperability test checks both against an independent implementation.
 */
class InPlaceBytesTest {

    private static final char[] ALPHABET = {' ', '\t', '\r', '\n', ':', 'a'};

    @Test
    void bodyCanonicalizationMatchesTheRegularExpressionsOnEveryShortBody() {
        int[] checked = {0};
        everyText(7, text -> {
            if (hasBareLineFeed(text)) {
                return; // RawMessage gives the body CRLF line ends before it is canonicalized
            }
            byte[] body = latin1(text);
            for (Canonicalization form : Canonicalization.values()) {
                assertThat(new String(form.body(body), StandardCharsets.ISO_8859_1))
                    .as("%s body of %s", form, visible(text))
                    .isEqualTo(referenceBody(form, text));
            }
            checked[0]++;
        });
        assertThat(checked[0]).isGreaterThan(10_000);
    }

    @Test
    void aBodyInsideALargerArrayIsReadBetweenItsBounds() {
        byte[] message = latin1("Subject: x\r\n\r\nline  one \t\r\n\r\n\r\n");
        RawMessage parsed = RawMessage.parse(message);
        assertThat(new String(parsed.body(Canonicalization.RELAXED), StandardCharsets.ISO_8859_1)).isEqualTo("line one\r\n");
        assertThat(new String(parsed.body(Canonicalization.SIMPLE), StandardCharsets.ISO_8859_1)).isEqualTo("line  one \t\r\n");
    }

    @Test
    void parseAndRewriteMatchTheStringFormsOnEveryShortMessage() {
        int[] checked = {0};
        everyText(7, text -> {
            RawMessage parsed = RawMessage.parse(latin1(text));
            Reference reference = Reference.parse(text);
            assertThat(parsed.headers()).as("headers of %s", visible(text)).isEqualTo(reference.headers());
            assertThat(new String(parsed.body(), StandardCharsets.ISO_8859_1)).as("body of %s", visible(text))
                .isEqualTo(reference.body());
            assertThat(new String(parsed.rewrite(List.of("X-Top: 1\r\n"), field -> field.named("a")),
                StandardCharsets.ISO_8859_1)).as("rewrite of %s", visible(text))
                .isEqualTo(reference.rewrite("X-Top: 1\r\n", "a"));
            checked[0]++;
        });
        assertThat(checked[0]).isGreaterThan(200_000);
    }

    @Test
    void parseKeepsTheCallersArrayWhenItHasNoBareLineFeed() {
        byte[] message = latin1("From: a@example.com\r\nSubject: s\r\n\r\nbody\r\n");
        RawMessage parsed = RawMessage.parse(message);
        assertThat(parsed.headers()).extracting(RawMessage.HeaderField::name).containsExactly("From", "Subject");
        assertThat(parsed.body()).isEqualTo(latin1("body\r\n"));

        RawMessage bare = RawMessage.parse(latin1("From: a@example.com\nSubject: s\n\nbody\n"));
        assertThat(bare.headers()).extracting(RawMessage.HeaderField::raw)
            .containsExactly("From: a@example.com\r\n", "Subject: s\r\n");
        assertThat(bare.body()).isEqualTo(latin1("body\r\n"));
    }

    // The forms replaced, as they were.

    private static String referenceBody(Canonicalization form, String text) {
        if (form == Canonicalization.RELAXED) {
            text = text.replaceAll("[ \t]+\r\n", "\r\n").replaceAll("[ \t]+", " ");
            if (!text.isEmpty() && !text.endsWith("\r\n")) {
                // \z, the very end: the replaced form's $ also matched before a final lone CR, which is not a line end
                text = text.replaceAll("[ \t]+\\z", "") + "\r\n";
            }
        } else if (!text.isEmpty() && !text.endsWith("\r\n")) {
            text = text + "\r\n";
        }
        while (text.endsWith("\r\n\r\n")) {
            text = text.substring(0, text.length() - 2);
        }
        if (text.equals("\r\n") && form == Canonicalization.RELAXED) {
            text = "";
        }
        if (text.isEmpty() && form == Canonicalization.SIMPLE) {
            text = "\r\n";
        }
        return text;
    }

    private record Reference(List<RawMessage.HeaderField> headers, String body) {
        static Reference parse(String message) {
            String text = message;
            if (text.indexOf('\n') >= 0 && text.replace("\r\n", "").contains("\n")) {
                text = text.replace("\r\n", "\n").replace("\n", "\r\n");
            }
            List<RawMessage.HeaderField> headers = new ArrayList<>();
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
                    headers.add(RawMessage.HeaderField.of(current.toString()));
                }
                current = new StringBuilder(line);
            }
            if (current != null) {
                headers.add(RawMessage.HeaderField.of(current.toString()));
            }
            return new Reference(headers, text.substring(Math.min(position, text.length())));
        }

        String rewrite(String top, String dropped) {
            StringBuilder out = new StringBuilder(top);
            headers.stream().filter(field -> !field.named(dropped)).forEach(field -> out.append(field.raw()));
            return out.append("\r\n").append(body).toString();
        }
    }

    private static void everyText(int maxLength, Consumer<String> check) {
        char[] text = new char[maxLength];
        for (int length = 0; length <= maxLength; length++) {
            int[] digits = new int[length];
            while (true) {
                for (int i = 0; i < length; i++) {
                    text[i] = ALPHABET[digits[i]];
                }
                check.accept(new String(text, 0, length));
                int i = length - 1;
                while (i >= 0 && ++digits[i] == ALPHABET.length) {
                    digits[i--] = 0;
                }
                if (i < 0) {
                    break;
                }
            }
        }
    }

    private static boolean hasBareLineFeed(String text) {
        return text.replace("\r\n", "").contains("\n");
    }

    private static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String visible(String text) {
        return text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
    }
}
