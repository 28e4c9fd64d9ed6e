package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.util.Map;

import org.apache.james.backends.cassandra.versions.CassandraSchemaVersionDAO;
import org.apache.james.backends.cassandra.versions.CassandraSchemaVersionModule;
import org.apache.james.backends.cassandra.versions.SchemaVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.datastax.oss.driver.api.core.CqlSession;

import dev.gateway.queue.cassandra.CassandraExtension;

import dev.gateway.testkit.GatewayProcess;

/**
 * Schema handling at start-up: a new keyspace gets James's latest schema version recorded, a second start finds it
 * up to date, and a keyspace at another version is refused rather than read with the wrong layouts.
 */
class CassandraSchemaIT {

    private static final String USER = "schema@" + GatewayProcess.DOMAIN;
    private static final String PASSWORD = "schema-secret";

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    @Test
    void aNewKeyspaceIsCreatedAndRecordedOnceThenFoundUpToDate() throws Exception {
        GatewayProcess gateway = GatewayProcess.start(USER, PASSWORD, environment("schema_new"));
        try {
            assertThat(Files.readString(gateway.log())).contains("New Cassandra keyspace: schema version 12 recorded");
            gateway.stop();
            gateway.startAgain();
            String log = Files.readString(gateway.log());
            assertThat(log).contains("Cassandra schema version 12 is up to date");
            assertThat(log.split("schema version 12 recorded", -1)).as("recorded once only").hasSize(2);
        } finally {
            gateway.close();
        }
    }

    @Test
    void aKeyspaceAtAnotherSchemaVersionIsRefused() throws Exception {
        try (CqlSession session = CASSANDRA.server().session("schema_old", CassandraSchemaVersionModule.MODULE)) {
            new CassandraSchemaVersionDAO(session).updateVersion(new SchemaVersion(11)).block();
        }
        GatewayProcess gateway = GatewayProcess.prepare(environment("schema_old"));
        try {
            assertThatThrownBy(gateway::startAgain).isInstanceOf(IllegalStateException.class);
            assertThat(Files.readString(gateway.log()))
                .contains("The Cassandra keyspace is at schema version 11 but this Gateway needs version 12");
        } finally {
            gateway.close();
        }
    }

    private static Map<String, String> environment(String keyspace) {
        return ClusterProfile.withoutSpam(CASSANDRA.server(), keyspace);
    }
}
