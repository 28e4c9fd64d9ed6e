package dev.gateway.api;

/**
 * The mail attributes in which the spam filter hook ({@code SpamFilter}, docs/spam.md) records its decision, read by
 * the {@code HasSpamVerdict} matcher, the routing table's {@code spam_score} condition and integrators' rules.
 */
public final class SpamAttributes {

    /** A map from recipient address to verdict: clean, tagged, quarantine or unchecked. */
    public static final String VERDICT = "dev.gateway.spam.verdict";
    /** spamd's score (a Double), absent when the message was not scanned. */
    public static final String SCORE = "dev.gateway.spam.score";

    private SpamAttributes() {
    }
}
