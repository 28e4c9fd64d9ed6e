package dev.gateway.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real gateway for a test class: started before its first test with {@code bin/gateway start} (memory profile,
 * free loopback ports, a working directory of its own, the domain {@value GatewayProcess#DOMAIN} and one user),
 * stopped after its last, its working directory removed. Each test class has its own gateway; tests of one class
 * share it. Register it on a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final GatewayExtension GATEWAY = GatewayExtension.builder("alice@example.test", "secret")
 *     .extensionClasses(Path.of("target/classes"))                  // the rules under test
 *     .overlay("10-rules.xml", "<overlay><handlers><handler class=\"com.example.rules.ListMembersOnly\">...</handler></handlers></overlay>")
 *     .environment(Map.of("GATEWAY_SPAM_ENABLED", "false"))
 *     .build();
 *
 * @Test
 * void refusesANonMember() throws Exception {
 *     try (SmtpSession smtp = SmtpSession.connect(GATEWAY.process(), GatewayProcess.Port.SMTP, GATEWAY.tls())) {
 *         smtp.ehlo("client.test");
 *         smtp.command("MAIL FROM:<mallory@elsewhere.test>");
 *         assertThat(smtp.command("RCPT TO:<alice@example.test>")).startsWith("550");
 *     }
 * }
 * }</pre>
 *
 * Then {@link #process()} gives ports and the launcher, {@link #webAdmin()} the server's state, {@link #tls()} a TLS
 * context trusting this server's certificate (for STARTTLS, SMTPS, IMAPS, POP3S), {@link Mailboxes} reads mail back.
 */
public class GatewayExtension implements BeforeAllCallback, AfterAllCallback {

    private final String user;
    private final String password;
    private final Function<ExtensionContext, Map<String, String>> environment;
    private final Companion.Starter companionStarter;
    private final ExtensionJars extensionJars;
    private final ConfigurationOverlay configuration;
    private final Map<String, String> overlays;
    private Companion companion;
    private Path configurationFolder;
    private Path overlayFolder;
    private GatewayProcess process;
    private WebAdminClient webAdmin;
    private SSLContext tls;

    public GatewayExtension(String user, String password, Map<String, String> environment) {
        this(builder(user, password).environment(environment));
    }

    /**
     * A gateway whose environment is known only when it starts, such as the port of a Cassandra that another
     * extension, registered before it ({@code @Order}), starts first.
     */
    public GatewayExtension(String user, String password, Supplier<Map<String, String>> environment) {
        this(builder(user, password).environment(context -> environment.get()));
    }

    /** What a {@link Builder} was given; for subclasses that add their own factories. */
    protected GatewayExtension(Builder builder) {
        this.user = builder.user;
        this.password = builder.password;
        this.environment = builder.environment;
        this.companionStarter = builder.companion;
        this.extensionJars = new ExtensionJars(builder.jars, builder.classFolders);
        this.configuration = new ConfigurationOverlay(builder.configurationFolders, builder.edits);
        this.overlays = Map.copyOf(builder.overlays);
    }

    /**
     * A gateway whose environment is made from the test class's context when it starts, e.g. naming a server that
     * the context finds or starts, with no extension ordered before.
     */
    public static GatewayExtension inContext(String user, String password,
                                             Function<ExtensionContext, Map<String, String>> environment) {
        return builder(user, password).environment(environment).build();
    }

    /** A gateway with the domain {@value GatewayProcess#DOMAIN} and this first user, to be set up further. */
    public static Builder builder(String user, String password) {
        return new Builder(user, password);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Map<String, String> gatewayEnvironment = new HashMap<>();
        if (companionStarter != null) {
            companion = companionStarter.start();
            gatewayEnvironment.putAll(companion.gatewayEnvironment());
        }
        gatewayEnvironment.putAll(environment.apply(context));
        if (!configuration.isEmpty()) {
            Path base = gatewayEnvironment.containsKey("GATEWAY_CONF") ? Path.of(gatewayEnvironment.get("GATEWAY_CONF"))
                : GatewayProcess.sourceFolder().resolve("server-config");
            configurationFolder = configuration.writeTo(Files.createTempDirectory("gateway-conf-"), base);
            gatewayEnvironment.put("GATEWAY_CONF", configurationFolder.toString());
        }
        if (!overlays.isEmpty()) {
            overlayFolder = Files.createTempDirectory("gateway-conf.d-");
            for (Map.Entry<String, String> overlay : overlays.entrySet()) {
                Files.writeString(overlayFolder.resolve(overlay.getKey()), overlay.getValue());
            }
            gatewayEnvironment.put("GATEWAY_CONF_OVERLAY", overlayFolder.toString());
        }
        process = GatewayProcess.start(user, password, gatewayEnvironment, extensionJars::installInto);
        webAdmin = new WebAdminClient(process);
        tls = process.trustingServerCertificate();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            GatewayProcess.closeAll(process);
        } finally {
            try {
                if (companion != null) {
                    companion.close();
                }
            } finally {
                if (configurationFolder != null) {
                    GatewayProcess.deleteTree(configurationFolder);
                }
                if (overlayFolder != null) {
                    GatewayProcess.deleteTree(overlayFolder);
                }
            }
        }
    }

    /** The companion of {@link Builder#companion}, as the type the test started; tests may stop and start it. */
    public <T extends Companion> T companion(Class<T> type) {
        return type.cast(companion);
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

    /** The settings of a {@link GatewayExtension}; each call adds to them, {@link #build()} makes the extension. */
    public static final class Builder {

        private final String user;
        private final String password;
        private Function<ExtensionContext, Map<String, String>> environment = context -> Map.of();
        private Companion.Starter companion;
        private final List<Path> jars = new ArrayList<>();
        private final List<Path> classFolders = new ArrayList<>();
        private final List<Path> configurationFolders = new ArrayList<>();
        private final List<ConfigurationOverlay.Edit> edits = new ArrayList<>();
        private final Map<String, String> overlays = new java.util.TreeMap<>();

        private Builder(String user, String password) {
            this.user = user;
            this.password = password;
        }

        /** {@code GATEWAY_*} variables for {@code bin/gateway} (docs/configuration.md), e.g. a limit for one class. */
        public Builder environment(Map<String, String> variables) {
            Map<String, String> copy = Map.copyOf(variables);
            this.environment = context -> copy;
            return this;
        }

        /** Variables made when the gateway starts, from the test class's context. */
        public Builder environment(Function<ExtensionContext, Map<String, String>> variables) {
            this.environment = variables;
            return this;
        }

        /** A server started before the gateway and closed after it, whose environment the gateway gets. */
        public Builder companion(Companion.Starter starter) {
            this.companion = starter;
            return this;
        }

        /** A jar copied into the gateway's {@code extensions-jars/}. */
        public Builder extensionJar(Path jar) {
            jars.add(jar);
            return this;
        }

        /** A folder of compiled classes ({@code target/classes}), packed into a jar in {@code extensions-jars/}. */
        public Builder extensionClasses(Path folder) {
            classFolders.add(folder);
            return this;
        }

        /** A folder whose files replace or add to those of {@code server-config/} (e.g. {@code src/test/gateway}). */
        public Builder configuration(Path folder) {
            configurationFolders.add(folder);
            return this;
        }

        /**
         * An overlay file ({@code <overlay>...</overlay>}, docs/configuration.md "Overlays"): the gateway's overlay
         * folder ({@code GATEWAY_CONF_OVERLAY}) holds it under {@code name} (e.g. {@code 10-rules.xml}; files are
         * applied in name order). The way to add a hook, a mailet or a processor, as in production.
         */
        public Builder overlay(String name, String xml) {
            if (!name.endsWith(".xml") || name.contains("/")) {
                throw new IllegalArgumentException("an overlay file is named NAME.xml, not " + name);
            }
            overlays.put(name, xml);
            return this;
        }

        /** A change to one file of the configuration, e.g. {@link ConfigurationOverlay#insertAfter}. */
        public Builder editConfiguration(String file, UnaryOperator<String> change) {
            edits.add(new ConfigurationOverlay.Edit(file, change));
            return this;
        }

        public GatewayExtension build() {
            return new GatewayExtension(this);
        }
    }
}
