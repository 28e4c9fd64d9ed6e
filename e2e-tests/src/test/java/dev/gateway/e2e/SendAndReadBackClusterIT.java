package dev.gateway.e2e;

import java.util.Map;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.queue.cassandra.CassandraExtension;

/** The foundation's end-to-end tests again, on the cluster profile: mailboxes, users and queues in Cassandra. */
class SendAndReadBackClusterIT extends SendAndReadBackIT {

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    @Override
    Map<String, String> gatewayEnvironment() {
        return ClusterProfile.environment(CASSANDRA.server(), "send_and_read_back");
    }
}
