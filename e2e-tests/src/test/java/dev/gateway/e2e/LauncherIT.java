package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.gateway.testkit.FreePorts;
import dev.gateway.testkit.GatewayProcess;

/**
 * {@code bin/gateway} as an operator uses it in a terminal: {@code run} on the shipped default (cluster profile, a
 * Cassandra the launcher starts) stopped with Ctrl-C, a {@code start} that cannot succeed, and a {@code run} not ready in time.
 */
class LauncherIT {

    /** The byte a terminal's keyboard sends for Ctrl-C; the terminal driver turns it into SIGINT. */
    private static final int CTRL_C = 0x03;

    @Test
    void ctrlCOnRunStopsTheGatewayThenTheCassandraItStartedAndFreesEveryPort() throws Exception {
        int cql = FreePorts.one();
        int storage = FreePorts.one();
        int jmx = FreePorts.one();
        GatewayProcess gateway = GatewayProcess.prepare(Map.of(
            "GATEWAY_PROFILE", "cluster",
            "GATEWAY_START_CASSANDRA", "1",
            "GATEWAY_CASSANDRA_PORT", String.valueOf(cql),
            "GATEWAY_CASSANDRA_STORAGE_PORT", String.valueOf(storage),
            "GATEWAY_CASSANDRA_JMX_PORT", String.valueOf(jmx),
            "GATEWAY_SPAM_ENABLED", "false"));
        Path output = Files.createTempFile(gateway.home(), "terminal-", ".out");
        Process terminal = null;
        try {
            ProcessBuilder builder = new ProcessBuilder("/usr/bin/python3",
                gateway.source().resolve("e2e-tests/src/test/scripts/in_terminal.py").toString(),
                gateway.source().resolve("bin/gateway").toString(), "run")
                .redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().putAll(gateway.environment());
            terminal = builder.start();
            Process running = terminal;
            await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofMillis(500)).until(() -> {
                assertThat(running.isAlive()).as("bin/gateway run, which printed:%n%s", Files.readString(output)).isTrue();
                return Files.readString(output).contains("Ctrl-C stops it");
            });

            // Everything the run started: the launcher and the server under the terminal, and what the launcher
            // started apart from it and recorded in pid files (Cassandra runs in a session of its own).
            Set<Long> started = new TreeSet<>();
            terminal.descendants().forEach(process -> started.add(process.pid()));
            Map<Path, Long> recorded = pidFiles(gateway.home().resolve("var"));
            assertThat(recorded.keySet()).as("pid files of the run")
                .contains(gateway.home().resolve("var/run/gateway.pid"), gateway.home().resolve("var/cassandra/cassandra.pid"));
            started.addAll(recorded.values());
            assertThat(started.stream().filter(LauncherIT::running)).as("processes of the run, before Ctrl-C").hasSameSizeAs(started);

            try (OutputStream keyboard = terminal.getOutputStream()) {
                keyboard.write(CTRL_C);
                keyboard.flush();
                boolean ended = terminal.waitFor(4, TimeUnit.MINUTES);
                assertThat(ended).as("bin/gateway run ended after Ctrl-C; it printed:%n%s%nprocesses of the run still alive: %s",
                    Files.readString(output), started.stream().filter(LauncherIT::running).toList()).isTrue();
            }
            String printed = Files.readString(output);
            printed.lines().filter(line -> line.matches(".*(gateway|cassandra): .*")).forEach(System.out::println);
            assertThat(terminal.exitValue()).as("exit status; it printed:%n%s", printed).isZero();
            assertThat(printed).contains("gateway: stopped").contains("cassandra: stopped");
            // SMTP, submission, SMTPS, IMAP, IMAPS, POP3, POP3S and ManageSieve: closed together by the server's
            // shutdown hook, not one after the other as James's disposal would (2 s of Netty's quiet period each).
            assertThat(printed).as("the server's log on the terminal").contains("Closed 8 listeners together");
            assertThat(printed.indexOf("cassandra: stopped")).as("Cassandra stopped after the gateway")
                .isGreaterThan(printed.indexOf("gateway: stopped"));
            assertThat(started.stream().filter(LauncherIT::running)).as("processes of the run left after Ctrl-C").isEmpty();
            Map<String, Integer> ports = new TreeMap<>(Map.of("cassandra CQL", cql, "cassandra storage", storage, "cassandra JMX", jmx));
            for (GatewayProcess.Port port : GatewayProcess.Port.values()) {
                ports.put(port.name(), gateway.port(port));
            }
            Map<String, String> listened = new TreeMap<>();
            ports.forEach((name, port) -> {
                if (!free(port)) {
                    listened.put(name + " " + port, String.join("; ", listeningSockets(port)));
                }
            });
            assertThat(listened).as("ports still listened on after Ctrl-C, and by whom").isEmpty();
        } finally {
            if (terminal != null && terminal.isAlive()) {
                terminal.descendants().forEach(ProcessHandle::destroyForcibly);
                terminal.destroyForcibly();
            }
            // Stops whatever a failure above left behind (the launcher's stop also stops its Cassandra), then cleans up.
            gateway.close();
        }
    }

    @Test
    void aStartThatCannotReachCassandraSaysWhyAsSoonAsTheServerGivesUp() throws Exception {
        int nothingListens = FreePorts.one();
        GatewayProcess gateway = GatewayProcess.prepare(Map.of(
            "GATEWAY_PROFILE", "cluster",
            "GATEWAY_CASSANDRA_HOSTS", "127.0.0.1:" + nothingListens,
            "GATEWAY_SPAM_ENABLED", "false",
            // Far longer than the test waits: an answer means the launcher noticed the failure, not its timeout.
            "GATEWAY_START_TIMEOUT", "3600"));
        try {
            Launched launched = launch(gateway, "start", Duration.ofMinutes(5));
            Process start = launched.process();
            String printed = launched.printed();
            assertThat(start.isAlive()).as("bin/gateway start still waiting; it printed:%n%s", printed).isFalse();
            assertThat(start.exitValue()).as("exit status; it printed:%n%s", printed).isEqualTo(1);
            assertThat(printed)
                .containsPattern("gateway: (exited during start-up|could not start) \\(log: ")
                .contains("Fatal error while starting James")
                .contains("Could not reach any contact point")
                .contains("127.0.0.1:" + nothingListens)
                .doesNotContain("did not start within");
            assertThat(gateway.home().resolve("var/run/gateway.pid")).doesNotExist();
            assertThat(free(gateway.port(GatewayProcess.Port.WEBADMIN))).as("WebAdmin port listened on").isTrue();
        } finally {
            gateway.close();
        }
    }

    @Test
    void aRunThatIsNotReadyInTimeSaysSoAndStopsTheServer() throws Exception {
        // One second: no server is ready that soon. Before, run then waited on the server in silence, never printing
        // "Ctrl-C stops it" (how the Ctrl-C test above failed on a machine at load 20).
        GatewayProcess gateway = GatewayProcess.prepare(Map.of("GATEWAY_SPAM_ENABLED", "false", "GATEWAY_START_TIMEOUT", "1"));
        try {
            Launched launched = launch(gateway, "run", Duration.ofMinutes(3));
            Process run = launched.process();
            String printed = launched.printed();
            assertThat(run.isAlive()).as("bin/gateway run still going; it printed:%n%s", printed).isFalse();
            assertThat(run.exitValue()).as("exit status; it printed:%n%s", printed).isEqualTo(1);
            assertThat(printed).contains("gateway: did not start within 1s").containsPattern("gateway: stopped \\(pid [0-9]+\\)")
                .doesNotContain("Ctrl-C stops it");
            assertThat(printed.indexOf("gateway: stopped")).as("stopped after saying why").isGreaterThan(printed.indexOf("did not start within"));
            assertThat(gateway.home().resolve("var/run/gateway.pid")).doesNotExist();
            assertThat(free(gateway.port(GatewayProcess.Port.WEBADMIN))).as("WebAdmin port listened on").isTrue();
        } finally {
            gateway.close();
        }
    }

    /** A launcher command that ended (or was killed after its time ran out), and what it printed. */
    private record Launched(Process process, String printed) {
    }

    /** Runs {@code bin/gateway COMMAND} with the gateway's environment and no input, for at most {@code limit}. */
    private static Launched launch(GatewayProcess gateway, String command, Duration limit) throws Exception {
        Path output = Files.createTempFile(gateway.home(), command + "-", ".out");
        ProcessBuilder builder = new ProcessBuilder(gateway.source().resolve("bin/gateway").toString(), command)
            .redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(gateway.environment());
        Process process = builder.start();
        process.getOutputStream().close();
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        return new Launched(process, Files.readString(output));
    }

    /** Every {@code *.pid} file under {@code directory} and the pid it holds. */
    private static Map<Path, Long> pidFiles(Path directory) throws IOException {
        Map<Path, Long> found = new HashMap<>();
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.filter(file -> file.getFileName().toString().endsWith(".pid")).toList()) {
                found.put(file, Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim()));
            }
        }
        return found;
    }

    /** A live process: present, and not a zombie waiting for a parent (an init in a container may never reap it). */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException gone) {
            return false;
        }
    }

    /**
     * True when no socket listens on the port, as the kernel's tables say ({@code /proc/net/tcp} and {@code tcp6}).
     * Neither binding nor connecting is a test of that: another program's outgoing connection may hold the number as
     * its local port, and a connection to an unused port in the ephemeral range can connect to itself.
     */
    private static boolean free(int port) {
        return listeningSockets(port).isEmpty();
    }

    /** The kernel's lines for the sockets listening on the port (state 0A), for a failure's message. */
    private static List<String> listeningSockets(int port) {
        String hexPort = String.format(":%04X", port);
        List<String> found = new java.util.ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                Files.readAllLines(Path.of(table)).stream().skip(1).map(String::trim)
                    .filter(line -> {
                        String[] fields = line.split("\\s+");
                        return fields[1].endsWith(hexPort) && fields[3].equals("0A");
                    })
                    .forEach(line -> found.add(table + ": " + line));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return found;
    }
}
