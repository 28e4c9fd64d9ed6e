package dev.gateway.routing;

import java.util.Optional;

/**
 * Where the nodes of a cluster keep the routing table they all follow: every table put in force is stored as a new
 * version, numbered 1, 2, 3... in the order it was stored, and each node polls for a version newer than its own
 * ({@link RoutingTableStore#refresh()}). The tables stored here have passed the same validation as the file's.
 */
public interface RoutingTableVersions {

    /** One stored version of the table, in the YAML it was given in. */
    record Stored(long version, String yaml) {
    }

    /** The newest version, if any was ever stored. */
    Optional<Stored> latest();

    /** Stores {@code yaml} as the version after the newest (two nodes storing at once get two versions). */
    Stored storeNext(String yaml);

    /** Stores {@code yaml} as version 1 when nothing is stored yet; returns the newest version then stored. */
    Stored seed(String yaml);
}
