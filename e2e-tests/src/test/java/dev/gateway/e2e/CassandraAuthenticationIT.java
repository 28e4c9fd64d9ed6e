package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.commons.io.FileUtils;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.auth.AuthenticationException;

import dev.gateway.queue.cassandra.CassandraAccess;
import dev.gateway.queue.cassandra.CassandraServer;

import dev.gateway.testkit.GatewayProcess;

/**
 * The gateway against a Cassandra as operators run it: clients must log in (PasswordAuthenticator) and speak TLS on
 * the CQL port (a certificate for 127.0.0.1 made here with keytool). With its role's credentials and the trust store
 * the gateway starts and keeps its users there; with a wrong password it refuses to start and says why. This class
 * runs a Cassandra of its own (bin/cassandra with GATEWAY_CASSANDRA_AUTHENTICATOR and GATEWAY_CASSANDRA_TLS_KEYSTORE),
 * not the shared one.
 */
class CassandraAuthenticationIT {

    private static final String ROLE = "gateway";
    private static final String ROLE_PASSWORD = "role-secret-7";
    private static final String USER = "auth@" + GatewayProcess.DOMAIN;
    private static final String PASSWORD = "auth-user-secret";

    private static final String STORE_PASSWORD = "store-secret-3";

    private static Path stores;
    private static Path trustStore;
    private static CassandraServer cassandra;

    @BeforeAll
    static void start() throws Exception {
        stores = Files.createTempDirectory("cassandra-tls-");
        Path keyStore = stores.resolve("node.jks");
        trustStore = stores.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "node", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
            "-dname", "CN=127.0.0.1", "-ext", "SAN=IP:127.0.0.1,DNS:localhost", "-storetype", "JKS", "-keystore", keyStore.toString(),
            "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        Path certificate = stores.resolve("node.crt");
        keytool("-exportcert", "-alias", "node", "-keystore", keyStore.toString(), "-storepass", STORE_PASSWORD,
            "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", "node", "-file", certificate.toString(), "-storetype", "PKCS12",
            "-keystore", trustStore.toString(), "-storepass", STORE_PASSWORD);
        cassandra = CassandraServer.start(Map.of("GATEWAY_CASSANDRA_AUTHENTICATOR", "PasswordAuthenticator",
            "GATEWAY_CASSANDRA_TLS_KEYSTORE", keyStore.toString(),
            "GATEWAY_CASSANDRA_TLS_KEYSTORE_PASSWORD", STORE_PASSWORD));
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
        try {
            if (cassandra != null) {
                cassandra.close();
            }
        } finally {
            FileUtils.deleteDirectory(stores.toFile());
        }
    }

    @Test
    void thisCassandraRefusesAClientWithoutCredentialsAndOneInClearText() {
        // Else the next tests would prove nothing.
        assertThatThrownBy(() -> client().build().close())
            .isInstanceOfSatisfying(AllNodesFailedException.class, e -> assertThat(e.getAllErrors().values())
                .anySatisfy(errors -> assertThat(errors).hasAtLeastOneElementOfType(AuthenticationException.class)));
        assertThatThrownBy(() -> CqlSession.builder().addContactPoint(new InetSocketAddress("127.0.0.1", cassandra.port()))
                .withLocalDatacenter("datacenter1").withAuthCredentials(ROLE, ROLE_PASSWORD).build().close())
            .as("a clear-text connection").isInstanceOf(AllNodesFailedException.class);
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
        environment.put("GATEWAY_CASSANDRA_TRUSTSTORE", trustStore.toString());
        environment.put("CASSANDRA_TRUSTSTORE_PASSWORD", STORE_PASSWORD);
        return environment;
    }

    /** A client of this test's Cassandra over TLS, trusting its certificate the way the gateway is told to. */
    private static CqlSessionBuilder client() {
        CassandraAccess tls = new CassandraAccess(Optional.empty(), Optional.of(
            new CassandraAccess.Tls(trustStore, STORE_PASSWORD, Optional.empty(), "", true)));
        CqlSessionBuilder builder = CqlSession.builder().addContactPoint(new InetSocketAddress("127.0.0.1", cassandra.port()))
            .withLocalDatacenter("datacenter1");
        tls.applyTo(builder);
        return builder;
    }

    private static void keytool(String... arguments) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
    }
}
