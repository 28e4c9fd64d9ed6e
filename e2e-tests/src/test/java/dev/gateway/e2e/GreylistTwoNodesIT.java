package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.queue.cassandra.CassandraExtension;

import dev.gateway.testkit.GatewayProcess;

/**
 * Greylisting on the cluster profile: two nodes on one keyspace agree on a triplet. A first try refused by node A is
 * known to node B, which refuses an early retry as early (not as a first try) and accepts the retry after the delay.
 */
class GreylistTwoNodesIT {
    private static final String USER = "rcpt@" + GatewayProcess.DOMAIN;

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    private static TwoNodes nodes;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> environment = new java.util.HashMap<>(ClusterProfile.withoutSpam(CASSANDRA.server(), "greylist_two_nodes"));
        environment.put("GATEWAY_TRUSTED_NETWORKS", "127.0.0.1/32");
        environment.put("GATEWAY_GREYLIST_ENABLED", "true");
        environment.put("GATEWAY_GREYLIST_DELAY", "4s");
        nodes = TwoNodes.start(USER, "greylist secret", environment);
    }

    @AfterAll
    static void stop() throws Exception {
        if (nodes != null) {
            nodes.close();
        }
    }

    @Test
    void aRetryToAnotherNodeIsJudgedOnTheSameTriplet() throws Exception {
        Swaks first = Swaks.send(nodes.a(), "127.0.0.50", "a@sender.test", USER);
        assertThat(first.output()).contains("451 4.7.1 Greylisted, please try again in");

        List<Swaks> onB = Swaks.retryUntilAccepted(nodes.b(), "127.0.0.50", "a@sender.test", USER);

        assertThat(onB.get(onB.size() - 1).accepted()).as(onB.get(onB.size() - 1).output()).isTrue();
        String logB = Files.readString(nodes.b().log());
        assertThat(logB).doesNotContain("first try: 127.0.0.0/24 a@sender.test")
            .containsPattern("greylist passed \\[127\\.0\\.0\\.50\\] 127\\.0\\.0\\.0/24 a@sender\\.test " + USER
                + " after ([4-9]|\\d\\d+) s");
        assertThat(Files.readString(nodes.a().log())).contains("first try: 127.0.0.0/24 a@sender.test " + USER);
    }
}
