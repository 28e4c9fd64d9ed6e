package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.auth.AuthenticationException;

import dev.gateway.queue.cassandra.CassandraServer;

/**
 * The gateway against a Cassandra that authenticates its clients (PasswordAuthenticator), as operators run it: with
 * its role's credentials it starts and keeps its users there; with a wrong password it refuses to start and says
 * why. This class runs a Cassandra of its own (bin/cassandra with GATEWAY_CASSANDRA_AUTHENTICATOR), not the shared one.
 */
class CassandraAuthenticationIT {

    private static final String ROLE = "gateway";
    private static final String ROLE_PASSWORD = "role-secret-7";
    private static final String USER = "auth@" + GatewayProcess.DOMAIN;
    private static final String PASSWORD = "auth-user-secret";

    private static CassandraServer cassandra;

    @BeforeAll
    static void start() {
        cassandra = CassandraServer.start(Map.of("GATEWAY_CASSANDRA_AUTHENTICATOR", "PasswordAuthenticator"));
        // Cassandra creates its default superuser a few seconds after the CQL port opens.
        Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> {
            try (CqlSession admin = client().withAuthCredentials("cassandra", "cassandra").build()) {
                admin.execute("CREATE ROLE IF NOT EXISTS " + ROLE + " WITH PASSWORD = '" + ROLE_PASSWORD + "' AND LOGIN = true");
                return true;
            }
        });
    }

    @AfterAll
    static void stop() throws Exception {
        if (cassandra != null) {
            cassandra.close();
        }
    }

    @Test
    void thisCassandraRefusesAClientWithoutCredentials() {
        // Else the next test would prove nothing.
        assertThatThrownBy(() -> client().build().close())
            .isInstanceOfSatisfying(AllNodesFailedException.class, e -> assertThat(e.getAllErrors().values())
                .anySatisfy(errors -> assertThat(errors).hasAtLeastOneElementOfType(AuthenticationException.class)));
    }

    @Test
    void withItsRoleTheGatewayStartsAndKeepsItsUsersInCassandra() throws Exception {
        GatewayProcess gateway = GatewayProcess.start(USER, PASSWORD, environment("authenticated", ROLE_PASSWORD));
        try {
            try (CqlSession session = client().withAuthCredentials(ROLE, ROLE_PASSWORD).build()) {
                assertThat(session.execute("SELECT name FROM authenticated.user WHERE name = ?", USER).one())
                    .as("the user the launcher added, stored through the authenticated session").isNotNull();
            }
        } finally {
            gateway.close();
        }
    }

    @Test
    void withAWrongPasswordTheGatewayRefusesToStartAndSaysWhy() throws Exception {
        GatewayProcess gateway = GatewayProcess.prepare(environment("refused", "not-the-password"));
        try {
            assertThatThrownBy(gateway::startAgain).isInstanceOf(IllegalStateException.class);
            assertThat(Files.readString(gateway.log()))
                .contains("refused the credentials of user '" + ROLE + "': check cassandra.username and cassandra.password");
        } finally {
            gateway.close();
        }
    }

    private static Map<String, String> environment(String keyspace, String password) {
        Map<String, String> environment = new HashMap<>(ClusterProfile.withoutSpam(cassandra, keyspace));
        environment.put("GATEWAY_CASSANDRA_USERNAME", ROLE);
        environment.put("CASSANDRA_PASSWORD", password);
        return environment;
    }

    private static CqlSessionBuilder client() {
        return CqlSession.builder().addContactPoint(new InetSocketAddress("127.0.0.1", cassandra.port()))
            .withLocalDatacenter("datacenter1");
    }
}
