package dev.gateway.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.gateway.testkit.FreePorts;
import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.Companion;

/**
 * A real SpamAssassin daemon started with {@code bin/spamd start} on a free loopback port in a directory of its own,
 * stopped with {@code bin/spamd stop}: the same script an operator uses. Its log is how the tests count scans
 * (spamd writes one {@code spamd: result:} line per message it checked, with the message's Message-ID).
 */
public final class Spamd implements Companion {

    private final Path source;
    private final Path directory;
    private final int port;

    private final Map<String, String> options;

    private Spamd(Path source, Path directory, int port, Map<String, String> options) {
        this.source = source;
        this.directory = directory;
        this.port = port;
        this.options = options;
    }

    public static Spamd start() throws IOException, InterruptedException {
        return start(Map.of());
    }

    /** @param options more GATEWAY_SPAMD_* variables for bin/spamd, e.g. GATEWAY_SPAMD_AUTOLEARN=0 */
    public static Spamd start(Map<String, String> options) throws IOException, InterruptedException {
        Path source = GatewayProcess.sourceFolder();
        // World-traversable: spamd's children run as nobody when the tests run as root.
        Path directory = Files.createTempDirectory("gateway-spamd-", PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwxr-xr-x")));
        int port = FreePorts.one();
        Spamd spamd = new Spamd(source, directory, port, Map.copyOf(options));
        spamd.script("start");
        return spamd;
    }

    public int port() {
        return port;
    }

    /** The environment that points a gateway's spam filter at this spamd. */
    @Override
    public Map<String, String> gatewayEnvironment() {
        return Map.of("GATEWAY_SPAMD_HOST", "127.0.0.1", "GATEWAY_SPAMD_PORT", String.valueOf(port));
    }

    public void stop() throws IOException, InterruptedException {
        script("stop");
    }

    /**
     * Leaves the lock file a scanning child killed while it was learning leaves behind with SpamAssassin's default
     * (NFS-safe) locking, {@code home/bayes.lock}: the way a real stop mid-learn ends, made deterministic. Call it
     * while spamd is stopped.
     */
    public void leaveLockOfAChildKilledWhileLearning() throws IOException {
        Path lock = directory.resolve("home").resolve("bayes.lock");
        Files.writeString(lock, "localhost.99999\n");
    }

    public void restart() throws IOException, InterruptedException {
        script("start");
    }

    /** How many times spamd checked the message with this Message-ID (without angle brackets). */
    public long scansOf(String messageId) throws IOException {
        String needle = "mid=<" + messageId + ">";
        return log().stream().filter(line -> line.contains("spamd: result:") && line.contains(needle)).count();
    }

    /** What spamd's Bayes database has learned ({@code bin/spamd learned}): {spam, ham} message counts. */
    public long[] learned() throws IOException, InterruptedException {
        String[] words = script("learned").trim().split("\\s+");
        return new long[] {Long.parseLong(words[1]), Long.parseLong(words[3])};
    }

    /** TELL requests spamd carried out (it logs one "Tell: Setting ..." line per learned message). */
    public long tells() throws IOException {
        return log().stream().filter(line -> line.contains("spamd: Tell: ")).count();
    }

    public List<String> log() throws IOException {
        return Files.readAllLines(directory.resolve("spamd.log"));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        stop();
    }

    private String script(String command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(source.resolve("bin/spamd").toString(), command).redirectErrorStream(true);
        builder.environment().putAll(options);
        builder.environment().put("GATEWAY_SPAMD_DIR", directory.toString());
        builder.environment().put("GATEWAY_SPAMD_PORT", String.valueOf(port));
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(Duration.ofMinutes(2).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("bin/spamd " + command + " timed out:\n" + output);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("bin/spamd " + command + " exited " + process.exitValue() + ":\n" + output);
        }
        return output;
    }
}
