package dev.gateway.smtphooks;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What {@link Greylist} remembers: the triplets (client network, sender, recipient) it has seen, and the triplets
 * that passed, per client network, for automatic allowlisting. Entries expire by themselves after the duration
 * they are stored with. {@link InMemoryGreylistStore} serves one node; a shared store lets every node of a cluster
 * accept the retry of a try another node refused.
 */
public interface GreylistStore {

    /** A triplet as stored: when it was first tried, and whether a retry has passed since. */
    record Triplet(Instant firstTry, boolean passed) {
    }

    Optional<Triplet> triplet(String key);

    /** Records a first try, kept for {@code keep} (the retry window). */
    void firstTry(String key, Instant at, Duration keep);

    /** Records that a retry passed: the triplet is then let through for {@code keep}, and counts for its network. */
    void passed(String key, String clientNetwork, Instant firstTry, Duration keep);

    /** How many triplets of this client network have passed and are still kept, counting up to {@code atMost}. */
    int passes(String clientNetwork, int atMost);
}
