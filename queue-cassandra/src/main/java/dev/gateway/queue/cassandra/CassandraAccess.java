package dev.gateway.queue.cassandra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Optional;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.ssl.ProgrammaticSslEngineFactory;

/**
 * How the gateway proves itself to Cassandra and protects the connection, as operators run Cassandra: a user name
 * and password (PasswordAuthenticator), and TLS with a trust store for the Cassandra nodes' certificates and, when
 * the nodes require client certificates, a key store holding the gateway's. Nothing set: no authentication, clear
 * text, as a local single node started by bin/cassandra needs.
 *
 * @param credentials user name and password, when Cassandra authenticates its clients
 * @param tls TLS settings, when the nodes' native port speaks TLS
 */
public record CassandraAccess(Optional<Credentials> credentials, Optional<Tls> tls) {

    public static final CassandraAccess NONE = new CassandraAccess(Optional.empty(), Optional.empty());

    /** A PasswordAuthenticator login. */
    public record Credentials(String username, String password) {
        @Override
        public String toString() {
            return "Credentials[username=" + username + ", password=(hidden)]";
        }
    }

    /**
     * @param trustStore the certificates (or their CA) the nodes' must chain to (PKCS12 or JKS)
     * @param trustStorePassword its password (may be empty)
     * @param keyStore the gateway's own certificate and key, when the nodes require client certificates
     * @param keyStorePassword its password
     * @param verifyHostname whether a node's certificate must name the address the gateway reached it on
     */
    public record Tls(Path trustStore, String trustStorePassword, Optional<Path> keyStore, String keyStorePassword,
                      boolean verifyHostname) {
        @Override
        public String toString() {
            return "Tls[trustStore=" + trustStore + ", keyStore=" + keyStore + ", verifyHostname=" + verifyHostname + "]";
        }

        SSLContext context() {
            try {
                TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(load(trustStore, trustStorePassword));
                KeyManagerFactory keys = null;
                if (keyStore.isPresent()) {
                    keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                    keys.init(load(keyStore.get(), keyStorePassword), keyStorePassword.toCharArray());
                }
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
                return context;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("Cannot use the Cassandra TLS stores (trust store " + trustStore
                    + keyStore.map(path -> ", key store " + path).orElse("") + "): " + e.getMessage(), e);
            }
        }

        private static KeyStore load(Path path, String password) throws GeneralSecurityException, IOException {
            // KeyStore.getInstance(File, ...) tells PKCS12 from JKS by the content.
            if (!Files.isReadable(path)) {
                throw new IOException(path + " cannot be read");
            }
            return KeyStore.getInstance(path.toFile(), password.toCharArray());
        }
    }

    /** Sets the login and the TLS engine on a session builder. */
    public void applyTo(CqlSessionBuilder builder) {
        credentials.ifPresent(login -> builder.withAuthCredentials(login.username(), login.password()));
        tls.ifPresent(settings -> builder.withSslEngineFactory(
            new ProgrammaticSslEngineFactory(settings.context(), null, settings.verifyHostname())));
    }
}
