package dev.gateway.api;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An age as operators write it in filters ({@code --older-than} of {@code bin/gateway queue} and {@code quarantine},
 * {@code olderThan} of the queue routes): a whole number and one unit, {@code s}, {@code m}, {@code h} or {@code d}
 * ({@code 90s}, {@code 30m}, {@code 2h}, {@code 3d}). One grammar, so that the command line and the server never
 * disagree on what a filter means.
 */
public final class Age {
    // Nine digits at most: a billion days still fits an Instant when added to now, more would overflow it.
    private static final Pattern SYNTAX = Pattern.compile("(\\d{1,9})([smhd])");

    private Age() {
    }

    /** The duration written, or an IllegalArgumentException saying what is expected. */
    public static Duration parse(String text) {
        Matcher matcher = SYNTAX.matcher(text == null ? "" : text.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("expected a number and s, m, h or d (90s, 30m, 2h, 3d), not '" + text + "'");
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }
}
