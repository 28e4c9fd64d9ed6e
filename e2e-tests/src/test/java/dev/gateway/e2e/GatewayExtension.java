package dev.gateway.e2e;

import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

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
    private final Function<ExtensionContext, Map<String, String>> environment;
    private final Map<String, String> spamdOptions;
    private Spamd spamd;
    private GatewayProcess process;
    private WebAdminClient webAdmin;
    private SSLContext tls;

    public GatewayExtension(String user, String password, Map<String, String> environment) {
        this(user, password, fixed(environment), null);
    }

    /**
     * A gateway whose environment is known only when it starts, such as the port of a Cassandra that another
     * extension, registered before it ({@code @Order}), starts first.
     */
    public GatewayExtension(String user, String password, Supplier<Map<String, String>> environment) {
        this(user, password, context -> environment.get(), null);
    }

    private GatewayExtension(String user, String password, Function<ExtensionContext, Map<String, String>> environment,
                             Map<String, String> spamdOptions) {
        this.user = user;
        this.password = password;
        this.environment = environment;
        this.spamdOptions = spamdOptions;
    }

    private static Function<ExtensionContext, Map<String, String>> fixed(Map<String, String> environment) {
        Map<String, String> copy = Map.copyOf(environment);
        return context -> copy;
    }

    /**
     * A gateway whose environment is made from the test class's context when it starts: one naming the JVM's shared
     * Cassandra, which the context finds or starts ({@link ClusterProfile#gateway}), with no extension ordered before.
     */
    public static GatewayExtension inContext(String user, String password,
                                             Function<ExtensionContext, Map<String, String>> environment) {
        return new GatewayExtension(user, password, environment, null);
    }

    /** A gateway whose spam filter talks to a private real spamd, started first and stopped last. */
    public static GatewayExtension withSpamd(Map<String, String> spamdOptions, String user, String password, Map<String, String> environment) {
        return new GatewayExtension(user, password, fixed(environment), Map.copyOf(spamdOptions));
    }

    /** {@link #withSpamd} with an environment known only when the gateway starts (a Cassandra started first). */
    public static GatewayExtension withSpamd(Map<String, String> spamdOptions, String user, String password,
            Supplier<Map<String, String>> environment) {
        return new GatewayExtension(user, password, context -> environment.get(), Map.copyOf(spamdOptions));
    }

    /** {@link #withSpamd} with an environment made from the test class's context, as {@link #inContext}. */
    public static GatewayExtension withSpamdInContext(Map<String, String> spamdOptions, String user, String password,
                                                      Function<ExtensionContext, Map<String, String>> environment) {
        return new GatewayExtension(user, password, environment, Map.copyOf(spamdOptions));
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Map<String, String> gatewayEnvironment = environment.apply(context);
        if (spamdOptions != null) {
            spamd = Spamd.start(spamdOptions);
            Map<String, String> merged = new java.util.HashMap<>(spamd.gatewayEnvironment());
            merged.putAll(gatewayEnvironment);
            gatewayEnvironment = merged;
        }
        process = GatewayProcess.start(user, password, gatewayEnvironment);
        webAdmin = new WebAdminClient(process);
        tls = process.trustingServerCertificate();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (process != null) {
                process.close();
            }
        } finally {
            if (spamd != null) {
                spamd.close();
            }
        }
    }

    /** The private spamd of {@link #withSpamd}; tests may stop and start it. */
    public Spamd spamd() {
        return spamd;
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
