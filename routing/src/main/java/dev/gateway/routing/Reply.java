package dev.gateway.routing;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SMTP reply of a {@code reject} rule: a 4xx or 5xx code, an enhanced status code of the same class and a text,
 * written as one line, e.g. {@code 550 5.7.1 Mail to this address is not accepted}.
 */
public record Reply(String code, String text) {

    private static final Pattern SHAPE = Pattern.compile("([45][0-9][0-9]) (([45])\\.[0-9]{1,3}\\.[0-9]{1,3} \\S.*)");

    static Reply parse(String written) {
        Matcher matcher = SHAPE.matcher(written.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("reply '" + written
                + "' must be a 4xx or 5xx code, an enhanced status code and a text, e.g. '550 5.7.1 Not accepted here'");
        }
        if (matcher.group(1).charAt(0) != matcher.group(3).charAt(0)) {
            throw new IllegalArgumentException("reply '" + written + "': the enhanced status code must be of the same class as "
                + matcher.group(1));
        }
        if (matcher.group(2).chars().anyMatch(c -> c < 0x20 || c > 0x7e)) {
            throw new IllegalArgumentException("reply '" + written + "' must be printable ASCII");
        }
        return new Reply(matcher.group(1), matcher.group(2));
    }

    /** A 4xx reply: the client keeps the message and tries again later. */
    public boolean temporary() {
        return code.charAt(0) == '4';
    }

    @Override
    public String toString() {
        return code + " " + text;
    }
}
