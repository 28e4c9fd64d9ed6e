package dev.gateway.smtphooks;

import java.util.function.Supplier;

import org.apache.commons.configuration2.ex.ConfigurationException;

/**
 * Where a {@link SpamFilter} looks up the per-recipient thresholds in force. On one node that is what the listener
 * read from its {@code thresholdsFile} at start-up ({@link #FROM_FILE}); in a cluster it is the one document every
 * node follows ({@link SharedSpamThresholds}), which the file only seeds.
 */
public interface SpamThresholdOverrides {

    /** The listener's own file, read once at start-up: a change takes effect when the server restarts. */
    SpamThresholdOverrides FROM_FILE = (fromFile, xml) -> () -> fromFile;

    /**
     * Called once per listener at start-up with the overrides it read from its file (already validated) and the
     * file's text; the answer is asked for every message scanned.
     */
    Supplier<RecipientSpamThresholds> inForce(RecipientSpamThresholds fromFile, String xml) throws ConfigurationException;
}
