package dev.gateway.smtphooks;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The three spam scores that decide what happens to a message for one recipient: {@code X-Spam-Flag: YES} from
 * {@code tag}, quarantine from {@code quarantine}, refusal from {@code reject}. A threshold that is off is
 * {@link Double#POSITIVE_INFINITY}, which no score reaches.
 */
record SpamThresholds(double tag, double quarantine, double reject) {

    static final String OFF = "off";

    /** A number, or "off" (never reached). */
    static double parse(String value) {
        String trimmed = value.trim();
        if (trimmed.equalsIgnoreCase(OFF)) {
            return Double.POSITIVE_INFINITY;
        }
        double threshold = Double.parseDouble(trimmed);
        if (Double.isNaN(threshold)) {
            throw new NumberFormatException("NaN is not a threshold");
        }
        return threshold;
    }

    boolean tags(double score) {
        return score >= tag;
    }

    boolean rejects(double score) {
        return score >= reject;
    }

    /**
     * The verdict below the reject threshold; a recipient whose reject threshold is reached by a message accepted
     * for others gets {@value SpamFilter#QUARANTINE} too: never delivered, never bounced.
     */
    String verdict(double score) {
        if (score >= quarantine || rejects(score)) {
            return SpamFilter.QUARANTINE;
        }
        return tags(score) ? SpamFilter.TAGGED : SpamFilter.CLEAN;
    }

    static String format(double threshold) {
        return Double.isInfinite(threshold) ? OFF : oneDecimal(threshold);
    }

    /**
     * A score or threshold as {@code String.format(Locale.ROOT, "%.1f", value)} writes it (half up, on the same
     * shortest decimal form), without a {@link java.util.Formatter} for finite values (NaN and the infinities, which no
     * engine sends, are left to it): the filter writes three or four of these per message, and {@code String.format}
     * was a quarter of the filter's own CPU on the rspamd path.
     */
    static String oneDecimal(double value) {
        if (!Double.isFinite(value)) {
            return String.format(java.util.Locale.ROOT, "%.1f", value);
        }
        String rounded = BigDecimal.valueOf(value).setScale(1, RoundingMode.HALF_UP).toPlainString();
        // %.1f keeps the sign of a negative value rounded to zero; BigDecimal has no negative zero.
        return Math.copySign(1.0, value) < 0 && rounded.equals("0.0") ? "-0.0" : rounded;
    }

    @Override
    public String toString() {
        return "tag " + format(tag) + ", quarantine " + format(quarantine) + ", reject " + format(reject);
    }
}
