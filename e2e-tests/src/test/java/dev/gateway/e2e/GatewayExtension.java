package dev.gateway.e2e;

import java.util.Map;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real gateway for a test class: started before its first test with {@code bin/gateway start}, stopped after
 * its last. Register it on a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final GatewayExtension GATEWAY = new GatewayExtension(USER, PASSWORD, Map.of("GATEWAY_SPAM_ENABLED", "false"));
 * }</pre>
 */
public final class GatewayExtension implements BeforeAllCallback, AfterAllCallback {

    private final String user;
    private final String password;
    private final Map<String, String> environment;
    private GatewayProcess process;
    private WebAdminClient webAdmin;
    private SSLContext tls;

    public GatewayExtension(String user, String password, Map<String, String> environment) {
        this.user = user;
        this.password = password;
        this.environment = Map.copyOf(environment);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        process = GatewayProcess.start(user, password, environment);
        webAdmin = new WebAdminClient(process);
        tls = process.trustingServerCertificate();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (process != null) {
            process.close();
        }
    }

    public GatewayProcess process() {
        return process;
    }

    public WebAdminClient webAdmin() {
        return webAdmin;
    }

    /** Trusts exactly this server's certificate. */
    public SSLContext tls() {
        return tls;
    }
}
