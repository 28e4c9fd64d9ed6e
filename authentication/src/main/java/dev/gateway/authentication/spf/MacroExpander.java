package dev.gateway.authentication.spf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Macro expansion, RFC 7208 section 7: {@code %{letter digits r delimiters}}, {@code %%}, {@code %_}, {@code %-}.
 * The letters {@code c}, {@code r}, {@code t} are allowed in explanations only (section 7.3); an upper-case letter
 * URL-escapes its value (section 7.3, RFC 3986 unreserved characters kept). Any other use of {@code %}, a DIGIT of
 * zero, or a character outside {@code %x21-7E} ({@code SP} too in explanations) is a syntax error: permerror.
 */
final class MacroExpander {
    private static final String DELIMITERS = ".-+,/_=";

    /** The value of a macro letter (lower case), computed only when the text uses it. */
    interface Values {
        String value(char letter) throws SpfAbort;
    }

    private MacroExpander() {
    }

    /** Checks the syntax only, as the whole record is checked before it is evaluated (section 4.6). */
    static void check(String text, boolean explanation) throws SpfAbort {
        expand(text, letter -> "x", explanation);
    }

    static String expand(String text, Values values, boolean explanation) throws SpfAbort {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '%') {
                if ((c < 0x21 || c > 0x7e) && !(explanation && c == ' ')) {
                    throw SpfAbort.permerror("character not allowed in a macro string: " + text);
                }
                out.append(c);
                i++;
                continue;
            }
            if (i + 1 >= text.length()) {
                throw SpfAbort.permerror("% at the end of " + text);
            }
            char next = text.charAt(i + 1);
            switch (next) {
                case '%' -> out.append('%');
                case '_' -> out.append(' ');
                case '-' -> out.append("%20");
                case '{' -> {
                    int close = text.indexOf('}', i);
                    if (close < 0) {
                        throw SpfAbort.permerror("unclosed macro in " + text);
                    }
                    out.append(macro(text.substring(i + 2, close), values, explanation, text));
                    i = close + 1;
                    continue;
                }
                default -> throw SpfAbort.permerror("% not followed by {, %, _ or - in " + text);
            }
            i += 2;
        }
        return out.toString();
    }

    private static String macro(String body, Values values, boolean explanation, String text) throws SpfAbort {
        if (body.isEmpty()) {
            throw SpfAbort.permerror("empty macro in " + text);
        }
        char letter = body.charAt(0);
        char lower = Character.toLowerCase(letter);
        boolean allowed = "slodiphv".indexOf(lower) >= 0 || explanation && "crt".indexOf(lower) >= 0;
        if (!allowed || letter > 0x7f) {
            throw SpfAbort.permerror("unknown macro letter " + letter + " in " + text);
        }
        int pos = 1;
        int digitsEnd = pos;
        while (digitsEnd < body.length() && Character.isDigit(body.charAt(digitsEnd))) {
            digitsEnd++;
        }
        int keep = Integer.MAX_VALUE;
        if (digitsEnd > pos) {
            String digits = body.substring(pos, digitsEnd);
            keep = digits.length() > 3 ? Integer.MAX_VALUE : Integer.parseInt(digits);
            if (keep == 0) {
                throw SpfAbort.permerror("macro keeping zero parts in " + text);
            }
        }
        pos = digitsEnd;
        boolean reverse = pos < body.length() && (body.charAt(pos) == 'r' || body.charAt(pos) == 'R');
        if (reverse) {
            pos++;
        }
        String delimiters = body.substring(pos);
        for (char d : delimiters.toCharArray()) {
            if (DELIMITERS.indexOf(d) < 0) {
                throw SpfAbort.permerror("bad macro delimiter " + d + " in " + text);
            }
        }
        String value = values.value(lower);
        List<String> parts = new ArrayList<>(Arrays.asList(
            value.split(splitter(delimiters), -1)));
        if (reverse) {
            Collections.reverse(parts);
        }
        if (keep < parts.size()) {
            parts = parts.subList(parts.size() - keep, parts.size());
        }
        String joined = String.join(".", parts);
        return Character.isUpperCase(letter) ? urlEscape(joined) : joined;
    }

    private static String splitter(String delimiters) {
        StringBuilder pattern = new StringBuilder("[");
        for (char d : (delimiters.isEmpty() ? "." : delimiters).toCharArray()) {
            pattern.append('\\').append(d);
        }
        return pattern.append(']').toString();
    }

    private static String urlEscape(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0)) {
                out.append(c);
            } else {
                out.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
            }
        }
        return out.toString();
    }
}
