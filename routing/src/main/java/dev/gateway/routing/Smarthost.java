package dev.gateway.routing;

import java.util.List;
import java.util.Optional;

/**
 * A named relay the table can send mail through.
 *
 * @param name the name rules use ({@code action: relay}, {@code smarthost: name})
 * @param host host name or IP address
 * @param port TCP port
 * @param tls how the connection is secured
 * @param verifyCertificate whether the relay's certificate must be valid for {@code host} (turn off only for a
 *                          relay on a trusted network with a self-signed certificate)
 * @param credentials AUTH user and password, if the relay wants them
 * @param retryDelays RemoteDelivery's delay list, e.g. {@code 5 minutes}, {@code 6*12 hours}
 * @param maxRetries attempts before the sender gets a DSN
 * @param line where the smarthost is defined in the table
 */
public record Smarthost(String name, String host, int port, Tls tls, boolean verifyCertificate,
                        Optional<Credentials> credentials, List<String> retryDelays, int maxRetries, int line) {

    /** Whether {@code other} delivers the same way (its place in the file aside): then delivery need not restart. */
    public boolean sameRelay(Smarthost other) {
        return name.equals(other.name) && host.equals(other.host) && port == other.port && tls == other.tls
            && verifyCertificate == other.verifyCertificate && credentials.equals(other.credentials)
            && retryDelays.equals(other.retryDelays) && maxRetries == other.maxRetries;
    }

    /** How the connection to a smarthost is secured. */
    public enum Tls {
        /** Plain SMTP: only for a relay on a trusted network. */
        NONE("none", 25),
        /** STARTTLS when the relay offers it, plain otherwise. */
        STARTTLS_OPPORTUNISTIC("starttls-opportunistic", 587),
        /** STARTTLS or no delivery (the default). */
        STARTTLS_REQUIRED("starttls-required", 587),
        /** TLS from the first byte (SMTPS, usually port 465). */
        IMPLICIT("implicit", 465);

        private final String written;
        private final int defaultPort;

        Tls(String written, int defaultPort) {
            this.written = written;
            this.defaultPort = defaultPort;
        }

        public String written() {
            return written;
        }

        public int defaultPort() {
            return defaultPort;
        }

        static Tls parse(String written) {
            for (Tls tls : values()) {
                if (tls.written.equals(written)) {
                    return tls;
                }
            }
            throw new IllegalArgumentException("tls '" + written + "' is not one of none, starttls-opportunistic, "
                + "starttls-required, implicit");
        }
    }

    /** AUTH credentials; the password never appears in {@code toString}, logs or WebAdmin output. */
    public record Credentials(String username, Secret password) {
    }

    /** A password read from the environment or a file. */
    public static final class Secret {
        private final String value;

        Secret(String value) {
            this.value = value;
        }

        /** The password itself, for the SMTP client only. */
        public String reveal() {
            return value;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Secret secret && secret.value.equals(value);
        }

        @Override
        public int hashCode() {
            return value.hashCode();
        }

        @Override
        public String toString() {
            return "****";
        }
    }
}
