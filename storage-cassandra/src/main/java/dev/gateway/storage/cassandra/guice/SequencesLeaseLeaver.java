package dev.gateway.storage.cassandra.guice;

import javax.annotation.PreDestroy;
import javax.inject.Inject;

import dev.gateway.storage.cassandra.KeyspaceSequencesLease;
import dev.gateway.storage.cassandra.SequencesLease;

/**
 * Leaves the keyspace's sequences lease when the server stops, so that another node takes it at its next renewal
 * rather than after this one's has lapsed. James calls {@link PreDestroy} on what Guice constructed, and before the
 * Cassandra session this depends on is closed.
 */
final class SequencesLeaseLeaver {

    private final SequencesLease lease;

    @Inject
    SequencesLeaseLeaver(SequencesLease lease) {
        this.lease = lease;
    }

    @PreDestroy
    void leave() {
        if (lease instanceof KeyspaceSequencesLease keyspace) {
            keyspace.close();
        }
    }
}
