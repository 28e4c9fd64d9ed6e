package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An integrator's rule shipped as a jar: a mailet compiled here, from source, against the server's own jars, dropped
 * into {@code extensions-jars/} of a real gateway and named in its {@code mailetcontainer.xml}. The mail it handles
 * carries its mark; the banner and WebAdmin's {@code /extensions} list the jar; a class the configuration names and
 * no jar holds stops the start with its name and the jars searched.
 */
class ExtensionJarIT {

    private static final String ALICE = "alice@" + GatewayProcess.DOMAIN;
    private static final String PASSWORD = "extension test secret";
    private static final String JAR = "example-rules.jar";
    private static final String RULE = "com.example.rules.MarkHandledBy";
    private static final String RULE_SOURCE = """
        package com.example.rules;

        import javax.mail.MessagingException;

        import org.apache.mailet.Mail;
        import org.apache.mailet.base.GenericMailet;

        /** Marks each mail with a header naming this rule and its configured tag. */
        public class MarkHandledBy extends GenericMailet {
            @Override
            public void service(Mail mail) throws MessagingException {
                mail.getMessage().setHeader("X-Handled-By", getClass().getSimpleName() + " " + getInitParameter("tag", "?"));
                mail.getMessage().saveChanges();
            }
        }
        """;

    /** This repository, as GatewayProcess finds it. */
    private static final Path SOURCE = Path.of(System.getProperty("gateway.source", "..")).toAbsolutePath().normalize();

    @TempDir
    static Path work;

    private static GatewayProcess gateway;
    private static String banner;

    @BeforeAll
    static void startGatewayWithTheJar() throws Exception {
        Path jar = compileRuleJar(work.resolve("build"));
        Path configuration = configurationNaming(RULE, work.resolve("conf"));
        gateway = GatewayProcess.prepare(environment(configuration));
        installJar(jar, gateway);
        banner = gateway.launcher(Duration.ofMinutes(3), "start", "--domain", GatewayProcess.DOMAIN,
            "--user", ALICE, "--password", PASSWORD);
    }

    @AfterAll
    static void stop() throws Exception {
        GatewayProcess.closeAll(gateway);
    }

    @Test
    void theRuleFromTheJarRunsOnDeliveredMail() throws Exception {
        SSLContext tls = gateway.trustingServerCertificate();
        try (SmtpSession smtp = SmtpSession.authenticatedSubmission(gateway, tls, ALICE, PASSWORD)) {
            assertThat(smtp.send(ALICE, SmtpSession.message(ALICE, ALICE, "through the rule"), ALICE)).startsWith("250");
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
            .until(() -> !Mailboxes.inbox(gateway, tls, ALICE, PASSWORD).isEmpty());

        List<String> inbox = Mailboxes.inbox(gateway, tls, ALICE, PASSWORD);
        assertThat(inbox).hasSize(1);
        assertThat(Mailboxes.headers(inbox.get(0))).contains("X-Handled-By: MarkHandledBy from-the-jar");
    }

    @Test
    void theBannerAndWebAdminListTheJar() throws Exception {
        assertThat(banner).containsPattern("Extensions +1 in \\S*extensions-jars: " + JAR.replace(".", "\\."));
        JsonNode extensions = new WebAdminClient(gateway).get("/extensions");
        assertThat(extensions.get("jars")).extracting(JsonNode::asText).containsExactly(JAR);
        assertThat(extensions.get("folder").asText()).isEqualTo(gateway.home().resolve("extensions-jars").toString());
    }

    @Test
    void aClassNoJarHoldsStopsTheStartWithItsNameAndTheJarsSearched() throws Exception {
        Path jar = work.resolve("build").resolve(JAR);
        Path configuration = configurationNaming("com.example.rules.NotInAnyJar", work.resolve("conf-missing"));
        GatewayProcess broken = GatewayProcess.prepare(environment(configuration));
        try {
            installJar(jar, broken);
            Throwable failure = catchThrowable(() -> broken.launcher(Duration.ofMinutes(3), "start"));
            assertThat(failure).isInstanceOf(IllegalStateException.class);
            // What the launcher printed, before the log tail GatewayProcess appends.
            String printed = failure.getMessage().split("--- gateway log ---")[0];
            assertThat(printed)
                .containsPattern("gateway: (exited during start-up|could not start) \\(log: ")
                .contains("class com.example.rules.NotInAnyJar named in the configuration was found neither")
                .contains("1 in " + broken.home().resolve("extensions-jars") + ": " + JAR);
        } finally {
            GatewayProcess.closeAll(broken);
        }
    }

    private static Map<String, String> environment(Path configuration) {
        return Map.of("GATEWAY_CONF", configuration.toString(), "GATEWAY_SPAM_ENABLED", "false");
    }

    private static void installJar(Path jar, GatewayProcess target) throws IOException {
        Path folder = Files.createDirectories(target.home().resolve("extensions-jars"));
        Files.copy(jar, folder.resolve(JAR));
    }

    /** The rule's class compiled with the JDK's compiler against app/target/lib, in a jar of its own. */
    private static Path compileRuleJar(Path build) throws Exception {
        Path sources = Files.createDirectories(build.resolve("src/com/example/rules"));
        Path classes = Files.createDirectories(build.resolve("classes"));
        Files.writeString(sources.resolve("MarkHandledBy.java"), RULE_SOURCE);
        String classpath;
        try (Stream<Path> jars = Files.list(SOURCE.resolve("app/target/lib"))) {
            classpath = jars.map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator));
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        int status = compiler.run(null, null, null, "--release", "17", "-classpath", classpath, "-d", classes.toString(),
            sources.resolve("MarkHandledBy.java").toString());
        assertThat(status).as("javac of the example rule").isZero();

        Path jar = build.resolve(JAR);
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            String entry = "com/example/rules/MarkHandledBy.class";
            out.putNextEntry(new JarEntry(entry));
            out.write(Files.readAllBytes(classes.resolve(entry)));
            out.closeEntry();
        }
        return jar;
    }

    /** A copy of server-config/ whose local-delivery processor runs {@code className} first, with a tag. */
    private static Path configurationNaming(String className, Path target) throws IOException {
        Path source = SOURCE.resolve("server-config");
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(source)) {
            for (Path file : files.toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        }
        Path mailets = target.resolve("mailetcontainer.xml");
        String xml = Files.readString(mailets, StandardCharsets.UTF_8);
        String processor = "<processor state=\"local-delivery\" enableJmx=\"false\">";
        assertThat(xml).contains(processor);
        Files.writeString(mailets, xml.replace(processor, processor
            + "\n            <mailet match=\"All\" class=\"" + className + "\"><tag>from-the-jar</tag></mailet>"),
            StandardCharsets.UTF_8);
        return target;
    }
}
