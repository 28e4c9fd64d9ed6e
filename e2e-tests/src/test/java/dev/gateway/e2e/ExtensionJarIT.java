package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.SmtpSession;
import dev.gateway.testkit.WebAdminClient;
import dev.gateway.testkit.Mailboxes;

/**
 * An integrator's rules shipped as a jar: a project started from {@code examples/} (a mailet, a matcher and an SMTP
 * hook, written against James's published API only) with {@code bin/gateway new-extension}, built here with Maven
 * as an integrator builds it, its unit tests and its testkit test (the rules in a gateway of this tree, with this
 * build's gateway-testkit) included, its jar dropped into {@code extensions-jars/} of a real
 * gateway and its classes named in that gateway's {@code mailetcontainer.xml} and {@code smtpserver.xml}. Each rule's effect is seen from outside: the headers of
 * delivered mail over IMAP, the reply to RCPT TO. The banner and WebAdmin's {@code /extensions} list the jar; a class
 * the configuration names and no jar holds stops the start with its name and the jars searched.
 */
class ExtensionJarIT {

    private static final String ALICE = "alice@" + GatewayProcess.DOMAIN;
    private static final String PASSWORD = "extension test secret";
    /** The project's name, given to new-extension: its jar is named after it. */
    private static final String PROJECT = "acme-rules";
    private static final String JAR = PROJECT + "-1.0.jar";
    private static final String RULE = "com.example.rules.MarkHandledBy";
    /** ListMembersOnly guards Alice's address, on the MX listener, as if it were a list with one member. */
    private static final String MEMBER = "bob@partner.test";

    /** This repository, as GatewayProcess finds it. */
    private static final Path SOURCE = GatewayProcess.sourceFolder();

    @TempDir
    static Path work;

    private static GatewayProcess gateway;
    private static String banner;
    /** The jar the project built, installed in each gateway this class starts. */
    private static Path jar;

    @BeforeAll
    static void startGatewayWithTheJar() throws Exception {
        jar = buildExamples(work.resolve("build"));
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
    void theMailetRunsOnEveryDeliveredMailAndTheMatcherPicksTheExecutableAttachment() throws Exception {
        SSLContext tls = gateway.trustingServerCertificate();
        try (SmtpSession smtp = SmtpSession.authenticatedSubmission(gateway, tls, ALICE, PASSWORD)) {
            assertThat(smtp.send(ALICE, SmtpSession.message(ALICE, ALICE, "plain mail"), ALICE)).startsWith("250");
            assertThat(smtp.send(ALICE, withAttachment("setup.EXE"), ALICE)).startsWith("250");
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
            .until(() -> Mailboxes.inbox(gateway, tls, ALICE, PASSWORD).size() >= 2);

        List<String> inbox = Mailboxes.inbox(gateway, tls, ALICE, PASSWORD);
        assertThat(inbox).hasSize(2);
        String plain = headersWithSubject(inbox, "plain mail");
        String attached = headersWithSubject(inbox, "a tool");
        assertThat(plain).contains("X-Handled-By: from-the-jar").doesNotContain("executable-attachment");
        assertThat(attached).contains("X-Handled-By: from-the-jar").contains("X-Handled-By: executable-attachment");
    }

    @Test
    void theHookRefusesANonMemberAtRcptAndLetsAMemberThrough() throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(gateway, GatewayProcess.Port.SMTP, gateway.trustingServerCertificate())) {
            smtp.ehlo("partner.test");
            assertThat(smtp.command("MAIL FROM:<mallory@elsewhere.test>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<" + ALICE + ">"))
                .isEqualTo("550 5.7.1 Only members may write to <" + ALICE + ">");
            assertThat(smtp.command("RSET")).startsWith("250");
            assertThat(smtp.command("MAIL FROM:<" + MEMBER + ">")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<" + ALICE + ">")).startsWith("250");
        }
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

    /**
     * A project started from examples/ with {@code bin/gateway new-extension} (the source tree is left clean) and
     * built with {@code mvn package}, its unit tests and its testkit test (the rules in a real gateway of this tree)
     * included, with no edit: what an integrator does first. Maven and its local repository are this build's: the
     * project needs nothing the gateway's own build has not fetched, and this build's testkit is installed there
     * first, so the project tests against this build and not an older install.
     */
    private static Path buildExamples(Path build) throws Exception {
        Path project = build.resolve(PROJECT);
        Files.createDirectories(build);
        installThisBuildsTestkit(build);
        run(build, build.resolve("new-extension.log"), SOURCE.resolve("bin/gateway").toString(), "new-extension",
            PROJECT, project.toString());
        // The testkit's start wait, as long as ours on a loaded machine (Maven passes -D properties to the tests).
        String startTimeout = System.getProperty("gateway.testkit.start.timeout",
            System.getProperty("gateway.e2e.start.timeout", "PT3M"));
        String output = run(project, build.resolve("mvn.log"), "mvn", "-B", "package",
            "-Dgateway.testkit.start.timeout=" + startTimeout);
        assertThat(output).as("the examples' unit tests ran").containsPattern("Tests run: [1-9]\\d*, Failures: 0, Errors: 0");
        assertThat(output).as("the examples' testkit test ran")
            .containsPattern("Tests run: [1-9]\\d*, Failures: 0, Errors: 0, Skipped: 0, .* in com\\.example\\.rules\\.RulesInARealGatewayTest");
        return project.resolve("target").resolve(JAR);
    }

    /**
     * Installs the testkit jar this build packaged, and the parent pom it names, into the local Maven repository,
     * where the examples project finds them ({@code mvn install} of the gateway does the same). From the files, not a
     * nested build of the module: this JVM runs on that jar, which a rebuild would rewrite under it.
     */
    private static void installThisBuildsTestkit(Path build) throws Exception {
        Path testkit = SOURCE.resolve("testkit");
        Path jar;
        try (Stream<Path> files = Files.list(testkit.resolve("target"))) {
            jar = files.filter(file -> file.getFileName().toString().matches("gateway-testkit-[0-9.]+(-SNAPSHOT)?\\.jar"))
                .findFirst().orElseThrow(() -> new AssertionError("no testkit jar in " + testkit.resolve("target")
                    + ": build the testkit module (mvn package -pl testkit) first"));
        }
        String install = "org.apache.maven.plugins:maven-install-plugin:3.1.1:install-file";
        run(build, build.resolve("install-parent.log"), "mvn", "-B", "-q", install,
            "-Dfile=" + SOURCE.resolve("pom.xml"), "-DpomFile=" + SOURCE.resolve("pom.xml"));
        run(build, build.resolve("install-testkit.log"), "mvn", "-B", "-q", install,
            "-Dfile=" + jar, "-DpomFile=" + testkit.resolve("pom.xml"));
    }

    /** Runs a command to its end (10 minutes at most) and answers its output; a failure shows that output. */
    private static String run(Path directory, Path log, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(directory.toFile())
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end in 10 minutes; " + log);
        }
        String output = Files.readString(log);
        assertThat(process.exitValue()).as("%s:%n%s", String.join(" ", command), output).isZero();
        return output;
    }

    private static String withAttachment(String filename) {
        return "From: " + ALICE + "\r\nTo: " + ALICE + "\r\nSubject: a tool\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
            + "--b1\r\nContent-Type: text/plain\r\n\r\nthe tool, attached\r\n"
            + "--b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"" + filename
            + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA\r\n--b1--\r\n";
    }

    private static String headersWithSubject(List<String> inbox, String subject) {
        return inbox.stream().map(Mailboxes::headers).filter(headers -> headers.contains("Subject: " + subject))
            .findFirst().orElseThrow(() -> new AssertionError("no mail with subject " + subject + " in " + inbox));
    }

    /**
     * A copy of server-config/ whose local-delivery processor runs {@code className} first, tagging every mail, then
     * the examples' matcher with MarkHandledBy; the MX listener runs ListMembersOnly first.
     */
    private static Path configurationNaming(String className, Path target) throws IOException {
        Path source = SOURCE.resolve("server-config");
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(source)) {
            for (Path file : files.toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        }
        insertAfter(target.resolve("mailetcontainer.xml"), "<processor state=\"local-delivery\" enableJmx=\"false\">",
            "\n            <mailet match=\"All\" class=\"" + className + "\"><tag>from-the-jar</tag></mailet>"
            + "\n            <mailet match=\"com.example.rules.HasAttachmentEndingIn=.exe, .scr\" class=\"" + RULE + "\">"
            + "<tag>executable-attachment</tag></mailet>");
        insertAfter(target.resolve("smtpserver.xml"),
            "<handler class=\"dev.gateway.operations.CountSmtpResults\"><listener>mx</listener></handler>",
            "\n            <handler class=\"com.example.rules.ListMembersOnly\"><list>" + ALICE + "</list>"
            + "<members>" + MEMBER + "</members></handler>");
        return target;
    }

    private static void insertAfter(Path file, String anchor, String addition) throws IOException {
        String xml = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(xml).as(file.toString()).contains(anchor);
        Files.writeString(file, xml.replace(anchor, anchor + addition), StandardCharsets.UTF_8);
    }
}
