package dev.gateway.e2e;

import java.util.Map;

import javax.net.ssl.SSLContext;

import dev.gateway.testkit.GatewayProcess;

/**
 * Two real gateway nodes on one Cassandra keyspace, as the two-node tests start them: node A first, provisioning the
 * domain and first user; node B after it, provisioning nothing, so that whatever B knows it read from the keyspace.
 * Each comes with a TLS context trusting exactly its own certificate. Closing stops both.
 */
final class TwoNodes implements AutoCloseable {

    /** What a test does on node A once it serves and before node B starts, such as adding the users B must find. */
    @FunctionalInterface
    interface BeforeNodeB {
        void prepare(GatewayProcess nodeA) throws Exception;
    }

    private final GatewayProcess a;
    private final GatewayProcess b;
    private final SSLContext tlsA;
    private final SSLContext tlsB;

    private TwoNodes(GatewayProcess a, GatewayProcess b) throws Exception {
        this.a = a;
        this.b = b;
        this.tlsA = a.trustingServerCertificate();
        this.tlsB = b.trustingServerCertificate();
    }

    /** Both nodes on one environment (which names the keyspace); A provisions {@code user}. */
    static TwoNodes start(String user, String password, Map<String, String> environment) throws Exception {
        return start(user, password, environment, environment, nodeA -> { });
    }

    /**
     * Node A on {@code environmentA}, provisioning {@code user}; then {@code beforeB} on it; then node B on
     * {@code environmentB}. When any step fails, what was started is stopped before the failure is thrown: the test
     * class then holds no fixture to close.
     */
    static TwoNodes start(String user, String password, Map<String, String> environmentA,
                          Map<String, String> environmentB, BeforeNodeB beforeB) throws Exception {
        GatewayProcess a = GatewayProcess.start(user, password, environmentA);
        GatewayProcess b = null;
        try {
            beforeB.prepare(a);
            b = GatewayProcess.startWithoutProvisioning(environmentB);
            return new TwoNodes(a, b);
        } catch (Throwable failure) {
            try {
                GatewayProcess.closeAll(a, b);
            } catch (Exception closing) {
                failure.addSuppressed(closing);
            }
            throw failure;
        }
    }

    GatewayProcess a() {
        return a;
    }

    GatewayProcess b() {
        return b;
    }

    /** Trusts exactly node A's certificate. */
    SSLContext tlsA() {
        return tlsA;
    }

    /** Trusts exactly node B's certificate. */
    SSLContext tlsB() {
        return tlsB;
    }

    /** Trusts exactly the certificate of {@code node}, one of the two. */
    SSLContext tls(GatewayProcess node) {
        if (node != a && node != b) {
            throw new IllegalArgumentException("not one of the two nodes: " + node.home());
        }
        return node == a ? tlsA : tlsB;
    }

    @Override
    public void close() throws Exception {
        GatewayProcess.closeAll(a, b);
    }
}
