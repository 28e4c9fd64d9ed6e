package dev.gateway.queue.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.datastax.oss.driver.api.core.config.DefaultDriverOption;

class CassandraConnectionTest {

    private static final List<InetSocketAddress> NODE = List.of(new InetSocketAddress("127.0.0.1", 9042));

    @Test
    void withoutDatacentersTheKeyspaceIsCreatedWithSimpleStrategy() {
        CassandraConnection connection = new CassandraConnection(NODE, "datacenter1", "gateway", 3, Duration.ofSeconds(1));
        assertThat(connection.replication()).isEqualTo("{'class': 'SimpleStrategy', 'replication_factor': 3}");
    }

    @Test
    void datacentersGiveNetworkTopologyStrategyWithAFactorEach() {
        CassandraConnection connection = withDatacenters(CassandraConnection.parseDatacenterReplication(" dc1:3, dc-2:2 "));
        assertThat(connection.replication()).isEqualTo("{'class': 'NetworkTopologyStrategy', 'dc1': 3, 'dc-2': 2}");
        assertThat(CassandraConnection.parseDatacenterReplication("")).isEmpty();
    }

    @Test
    void badReplicationAndConsistencySettingsAreRefusedAtStart() {
        assertThatThrownBy(() -> CassandraConnection.parseDatacenterReplication("dc1")).hasMessageContaining("datacenter:factor");
        assertThatThrownBy(() -> withDatacenters(Map.of("dc1", 0))).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> withDatacenters(Map.of("dc1'}; DROP", 3))).hasMessageContaining("invalid datacenter name");
        assertThatThrownBy(() -> new CassandraConnection(NODE, "datacenter1", "gateway", 1, Duration.ofSeconds(1),
            Duration.ofMinutes(2), Map.of(), CassandraAccess.NONE, "MOSTLY", CassandraConnection.DEFAULT_SERIAL_CONSISTENCY))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CassandraConnection(NODE, "datacenter1", "gateway", 1, Duration.ofSeconds(1),
            Duration.ZERO, Map.of(), CassandraAccess.NONE, CassandraConnection.DEFAULT_CONSISTENCY,
            CassandraConnection.DEFAULT_SERIAL_CONSISTENCY))
            .hasMessageContaining("schema timeout");
    }

    @Test
    void theCredentialsNeverShowThePassword() {
        assertThat(new CassandraAccess.Credentials("gateway", "s3cret").toString()).contains("gateway").doesNotContain("s3cret");
    }

    private static CassandraConnection withDatacenters(Map<String, Integer> datacenters) {
        return new CassandraConnection(NODE, "dc1", "gateway", 1, Duration.ofSeconds(1), Duration.ofMinutes(2), datacenters,
            CassandraAccess.NONE, CassandraConnection.DEFAULT_CONSISTENCY, CassandraConnection.DEFAULT_SERIAL_CONSISTENCY);
    }

    @Test
    void schemaStatementsHaveATimeoutOfTheirOwnWhateverTheRequestTimeout() {
        CassandraConnection connection = new CassandraConnection(NODE, "datacenter1", "gateway", 1, Duration.ofSeconds(3));
        var config = connection.driverConfig().getInitialConfig();
        // James creates its tables and types in the profile named TABLE_CREATION.
        assertThat(config.getProfiles()).containsKey("TABLE_CREATION");
        assertThat(config.getProfile("TABLE_CREATION").getDuration(DefaultDriverOption.REQUEST_TIMEOUT))
            .isEqualTo(Duration.ofMinutes(2));
        assertThat(config.getDefaultProfile().getDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT))
            .isEqualTo(Duration.ofMinutes(2));
        assertThat(config.getDefaultProfile().getDuration(DefaultDriverOption.REQUEST_TIMEOUT)).isEqualTo(Duration.ofSeconds(3));
        assertThat(CassandraConnection.schemaStatement("CREATE KEYSPACE k").getExecutionProfileName()).isEqualTo("TABLE_CREATION");

        var configured = new CassandraConnection(NODE, "datacenter1", "gateway", 1, Duration.ofSeconds(10), Duration.ofSeconds(45),
            Map.of(), CassandraAccess.NONE, CassandraConnection.DEFAULT_CONSISTENCY, CassandraConnection.DEFAULT_SERIAL_CONSISTENCY)
            .driverConfig().getInitialConfig();
        assertThat(configured.getProfile("TABLE_CREATION").getDuration(DefaultDriverOption.REQUEST_TIMEOUT))
            .isEqualTo(Duration.ofSeconds(45));
        assertThat(configured.getDefaultProfile().getDuration(DefaultDriverOption.REQUEST_TIMEOUT)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void measuresEveryRequestUnderTheNamesOnMetrics() {
        var options = new CassandraConnection(NODE, "datacenter1", "gateway", 1, Duration.ofSeconds(3))
            .driverConfig().getInitialConfig().getDefaultProfile();
        // The driver names its metrics <session name>.<metric>: cassandra_cql_requests on /metrics (docs/operations.md).
        assertThat(options.getString(DefaultDriverOption.SESSION_NAME)).isEqualTo("cassandra");
        assertThat(options.getStringList(DefaultDriverOption.METRICS_SESSION_ENABLED))
            .containsExactlyInAnyOrder("cql-requests", "cql-client-timeouts");
    }

    @Test
    void aNodeThatCameBackIsReconnectedWithinTwoSeconds() {
        var config = new CassandraConnection(NODE, "datacenter1", "gateway", 1, Duration.ofSeconds(3)).driverConfig()
            .getInitialConfig().getDefaultProfile();
        assertThat(config.getDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY)).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.getDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY)).isLessThanOrEqualTo(Duration.ofSeconds(2));
    }
}
