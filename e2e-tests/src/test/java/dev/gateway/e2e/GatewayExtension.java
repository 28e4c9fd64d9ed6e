package dev.gateway.e2e;

import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The testkit's {@link dev.gateway.testkit.GatewayExtension} with what only our end-to-end tests need: a private real
 * spamd ({@link Spamd}) as the gateway's companion. Kept under the testkit class's name so that the cluster fixtures
 * ({@link ClusterProfile}) compile unchanged; everything else is the testkit's.
 */
public final class GatewayExtension extends dev.gateway.testkit.GatewayExtension {

    private GatewayExtension(Builder builder) {
        super(builder);
    }

    public GatewayExtension(String user, String password, Map<String, String> environment) {
        this(builder(user, password).environment(environment));
    }

    /** A gateway whose environment is known only when it starts (a Cassandra started first, {@code @Order}). */
    public GatewayExtension(String user, String password, Supplier<Map<String, String>> environment) {
        this(builder(user, password).environment(context -> environment.get()));
    }

    /** A gateway whose environment is made from the test class's context when it starts ({@link ClusterProfile#gateway}). */
    public static GatewayExtension inContext(String user, String password,
                                             Function<ExtensionContext, Map<String, String>> environment) {
        return new GatewayExtension(builder(user, password).environment(environment));
    }

    /** A gateway whose spam filter talks to a private real spamd, started first and stopped last. */
    public static GatewayExtension withSpamd(Map<String, String> spamdOptions, String user, String password, Map<String, String> environment) {
        Map<String, String> fixed = Map.copyOf(environment);
        return withSpamdInContext(spamdOptions, user, password, context -> fixed);
    }

    /** {@link #withSpamd} with an environment known only when the gateway starts (a Cassandra started first). */
    public static GatewayExtension withSpamd(Map<String, String> spamdOptions, String user, String password,
            Supplier<Map<String, String>> environment) {
        return withSpamdInContext(spamdOptions, user, password, context -> environment.get());
    }

    /** {@link #withSpamd} with an environment made from the test class's context, as {@link #inContext}. */
    public static GatewayExtension withSpamdInContext(Map<String, String> spamdOptions, String user, String password,
                                                      Function<ExtensionContext, Map<String, String>> environment) {
        Map<String, String> options = Map.copyOf(spamdOptions);
        return new GatewayExtension(builder(user, password).environment(environment)
            .companion(() -> Spamd.start(options)));
    }

    /** The private spamd of {@link #withSpamd}; tests may stop and start it. */
    public Spamd spamd() {
        return companion(Spamd.class);
    }
}
