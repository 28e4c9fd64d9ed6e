package dev.gateway.queue.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class CommitLogDurabilityTest {

    private static final Map<String, String> ONE_COPY = Map.of("class", "org.apache.cassandra.locator.SimpleStrategy",
        "replication_factor", "1");

    @Test
    void aPeriodicCommitLogWithOneCopyIsWarnedAbout() {
        assertThat(CommitLogDurability.warning("periodic", ONE_COPY)).hasValueSatisfying(warning ->
            assertThat(warning).contains("commitlog_sync: group").contains("250"));
    }

    @Test
    void aGroupOrBatchCommitLogOrASecondCopyKeepsAcknowledgedWrites() {
        assertThat(CommitLogDurability.warning("group", ONE_COPY)).isEmpty();
        assertThat(CommitLogDurability.warning("batch", ONE_COPY)).isEmpty();
        assertThat(CommitLogDurability.warning("periodic", Map.of("class", "org.apache.cassandra.locator.SimpleStrategy",
            "replication_factor", "3"))).isEmpty();
        assertThat(CommitLogDurability.warning("periodic", Map.of("class",
            "org.apache.cassandra.locator.NetworkTopologyStrategy", "dc1", "3/1", "dc2", "3"))).isEmpty();
        assertThat(CommitLogDurability.warning("periodic", Map.of("class",
            "org.apache.cassandra.locator.NetworkTopologyStrategy", "dc1", "1"))).isPresent();
    }
}
