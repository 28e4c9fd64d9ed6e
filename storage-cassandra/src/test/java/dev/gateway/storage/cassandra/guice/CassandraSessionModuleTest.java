package dev.gateway.storage.cassandra.guice;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.apache.commons.configuration2.BaseConfiguration;
import org.junit.jupiter.api.Test;

class CassandraSessionModuleTest {

    @Test
    void schemaStatementsGetTwoMinutesUnlessConfiguredWhateverTheRequestTimeout() {
        BaseConfiguration configuration = new BaseConfiguration();
        configuration.addProperty("cassandra.request.timeout", "3s");
        assertThat(CassandraSessionModule.schemaTimeout(configuration)).isEqualTo(Duration.ofMinutes(2));

        configuration.addProperty("cassandra.schema.timeout", "45s");
        assertThat(CassandraSessionModule.schemaTimeout(configuration)).isEqualTo(Duration.ofSeconds(45));

        // The shipped cassandra.properties writes its default as 2m.
        configuration.setProperty("cassandra.schema.timeout", "2m");
        assertThat(CassandraSessionModule.schemaTimeout(configuration)).isEqualTo(Duration.ofMinutes(2));
    }
}
