package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.gateway.testkit.GatewayProcess;

/**
 * The send-and-read-back flow of {@link SendAndReadBackIT} once more, driven by clients nobody here wrote: swaks and
 * curl, and Python's smtplib, imaplib and poplib. The scripts in src/test/scripts do the talking and checking; this
 * class gives them a server and fails with their transcript when they fail. A missing swaks or python3 is a failure,
 * not a skip: bin/install-deps installs them, and a suite that quietly stops testing is worse than a red one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ThirdPartyClientsIT {

    private static final String ALICE = "alice@" + GatewayProcess.DOMAIN;
    private static final String PASSWORD = "correct horse battery staple";
    private static final long TIMEOUT_MINUTES = 3;

    private GatewayProcess gateway;

    @BeforeAll
    void startGateway() throws Exception {
        gateway = GatewayProcess.start(ALICE, PASSWORD, gatewayEnvironment());
    }

    /** The launcher's environment; the memory profile unless a subclass runs the same clients on another. */
    Map<String, String> gatewayEnvironment() {
        return Map.of();
    }

    @AfterAll
    void stopGateway() throws Exception {
        GatewayProcess.closeAll(gateway);
    }

    @Test
    void pythonStandardLibraryClients() throws Exception {
        // A recipient per script, so that each one can insist on exactly its own two messages.
        runScript("bob@" + GatewayProcess.DOMAIN, "bob's secret", "python3", "third_party_clients.py");
    }

    @Test
    void swaksAndCurl() throws Exception {
        runScript("dave@" + GatewayProcess.DOMAIN, "dave: \"quoted\" secret", "bash", "swaks_flow.sh");
    }

    private void runScript(String recipient, String recipientPassword, String interpreter, String script)
            throws Exception {
        gateway.addUser(recipient, recipientPassword);
        Path scripts = gateway.source().resolve("e2e-tests/src/test/scripts");
        Map<String, String> environment = new HashMap<>(gateway.environment());
        environment.put("GATEWAY_TEST_CA", gateway.home().resolve("var/tls/gateway.crt").toString());
        environment.put("GATEWAY_TEST_SENDER", ALICE);
        environment.put("GATEWAY_TEST_SENDER_PASSWORD", PASSWORD);
        environment.put("GATEWAY_TEST_RECIPIENT", recipient);
        environment.put("GATEWAY_TEST_RECIPIENT_PASSWORD", recipientPassword);

        // Output goes to a file, not a pipe: a hung client must not keep us from reaching the timeout.
        Path transcript = Files.createTempFile(gateway.home(), script, ".log");
        ProcessBuilder builder = new ProcessBuilder(List.of(interpreter, scripts.resolve(script).toString()))
            .redirectErrorStream(true)
            .redirectOutput(transcript.toFile());
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new AssertionError(interpreter + " cannot be started; bin/install-deps installs it", e);
        }
        boolean finished = process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
        }
        String output = Files.readString(transcript, StandardCharsets.UTF_8);
        System.out.println("--- " + script + "\n" + output);

        if (!finished) {
            fail("%s did not finish within %d minutes:%n%s", script, TIMEOUT_MINUTES, output);
        }
        assertThat(process.exitValue())
            .as("%s exited %d:%n%s%n--- gateway log ---%n%s", script, process.exitValue(), output, gateway.logTail())
            .isZero();
        // An empty or truncated run must not pass for a green one.
        assertThat(output).contains("ok - ").doesNotContain("not ok - ");
    }
}
