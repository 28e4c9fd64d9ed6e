package dev.gateway.e2e;

import java.util.Map;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.queue.cassandra.CassandraExtension;

/** The third-party clients (Python's standard library, swaks, curl) again, on the cluster profile. */
class ThirdPartyClientsClusterIT extends ThirdPartyClientsIT {

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    @Override
    Map<String, String> gatewayEnvironment() {
        return ClusterProfile.environment(CASSANDRA.server(), "third_party_clients");
    }
}
