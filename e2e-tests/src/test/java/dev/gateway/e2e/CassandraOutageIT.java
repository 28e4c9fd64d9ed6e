package dev.gateway.e2e;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.queue.cassandra.CassandraExtension;

import dev.gateway.testkit.GatewayProcess;

/**
 * Cassandra stopped and started again while mail flows into a gateway on the Cassandra queue: while it is down
 * the gateway can queue nothing and answers 451 (senders keep the message and retry), never 250; once it is back
 * every message answered 250 is delivered. Delivery is at least once: a message being processed at the instant
 * Cassandra stops may be delivered again (counted as a re-delivery).
 */
class CassandraOutageIT {

    private static final String USER = "outage@" + GatewayProcess.DOMAIN;
    private static final String PASSWORD = "outage-secret-1";
    /** What James's SMTP server answers when the queue refuses a message. */
    private static final String CASSANDRA_DOWN = "451 4.0.0";

    @RegisterExtension
    @Order(1)
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    @RegisterExtension
    @Order(2)
    static final GatewayExtension GATEWAY = new GatewayExtension(USER, PASSWORD, () -> {
        Map<String, String> environment = new HashMap<>(CASSANDRA.server().gatewayEnvironment("outage"));
        environment.put("GATEWAY_QUEUE", "cassandra");
        environment.put("GATEWAY_SPAM_ENABLED", "false");
        environment.put("GATEWAY_QUEUE_LEASE", "20s");
        environment.put("GATEWAY_CASSANDRA_TIMEOUT", "3s");
        return environment;
    });

    @Test
    void onlyDeferralsWhileCassandraIsDownAndEveryAcceptedMessageIsDeliveredAfterwards() throws Exception {
        RetryingSenders traffic = RetryingSenders.start(GATEWAY, USER, 3);
        try (traffic) {
            traffic.awaitAccepted(5);
            CASSANDRA.server().stop();
            traffic.awaitAnswers(CASSANDRA_DOWN, 6);
            CASSANDRA.server().startAgain();
            traffic.awaitAccepted(traffic.accepted() + 5, Duration.ofMinutes(3));
        }
        traffic.assertOnlyDeferredAndEveryAcceptedMessageDeliveredAtLeastOnce(PASSWORD, CASSANDRA_DOWN);
    }
}
