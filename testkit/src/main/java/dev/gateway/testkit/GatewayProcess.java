package dev.gateway.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real Gateway server started with {@code bin/gateway start} on free loopback ports, in a working directory of
 * its own, stopped with {@code bin/gateway stop}. Exactly what a user runs, with the ports moved out of the way.
 *
 * <p>The gateway started is the one of the Gateway source tree (or unpacked release) named by {@link #source()}: the
 * system property {@code gateway.source}, else the environment variable {@code GATEWAY_SOURCE}, else {@code ..} (the
 * parent of the working directory: a module of Gateway's own build). It must be built: {@code GATEWAY_NO_BUILD=1}.
 * Most tests use it through {@link GatewayExtension}.
 */
public final class GatewayProcess implements AutoCloseable {

    public static final String DOMAIN = "example.test";
    /**
     * How long {@code bin/gateway start} may take: 3 minutes, or {@code -Dgateway.testkit.start.timeout=PT8M} (the
     * older name {@code gateway.e2e.start.timeout} works too; with the launcher's own {@code GATEWAY_START_TIMEOUT} in
     * seconds) on a machine so loaded that a new keyspace takes longer.
     */
    private static final Duration START_TIMEOUT = Duration.parse(System.getProperty("gateway.testkit.start.timeout",
        System.getProperty("gateway.e2e.start.timeout", "PT3M")));

    public enum Port {
        SMTP("GATEWAY_SMTP_PORT"),
        SUBMISSION("GATEWAY_SUBMISSION_PORT"),
        SMTPS("GATEWAY_SMTPS_PORT"),
        SMTP_ALT("GATEWAY_SMTP_ALT_PORT"),
        IMAP("GATEWAY_IMAP_PORT"),
        IMAPS("GATEWAY_IMAPS_PORT"),
        POP3("GATEWAY_POP3_PORT"),
        POP3S("GATEWAY_POP3S_PORT"),
        MANAGESIEVE("GATEWAY_MANAGESIEVE_PORT"),
        WEBADMIN("GATEWAY_WEBADMIN_PORT");

        final String variable;

        Port(String variable) {
            this.variable = variable;
        }
    }

    private final Path source;
    private final Path home;
    private final Map<Port, Integer> ports;
    private final Map<String, String> environment;

    private GatewayProcess(Path source, Path home, Map<Port, Integer> ports, Map<String, String> environment) {
        this.source = source;
        this.home = home;
        this.ports = ports;
        this.environment = environment;
    }

    /**
     * Starts a gateway with the domain {@value #DOMAIN} and the given first user.
     *
     * @param extraEnvironment more GATEWAY_* variables, e.g. to change a limit for one test class
     */
    public static GatewayProcess start(String user, String password, Map<String, String> extraEnvironment)
            throws IOException, InterruptedException {
        // The launcher stopped what it started and the exception carries the log's tail: nothing else to keep.
        return start(user, password, extraEnvironment, false, home -> { });
    }

    /** What a test puts into a gateway's working directory before it starts, such as jars in extensions-jars/. */
    @FunctionalInterface
    public interface HomeSetup {
        void prepare(Path home) throws IOException;
    }

    /**
     * {@link #start(String, String, Map)} with the working directory prepared first, e.g. by
     * {@link ExtensionJars#installInto}.
     */
    public static GatewayProcess start(String user, String password, Map<String, String> extraEnvironment,
                                       HomeSetup setup) throws IOException, InterruptedException {
        return start(user, password, extraEnvironment, false, setup);
    }

    /**
     * Starts a gateway that provisions nothing: for a node joining a store where the domain and users already
     * exist (the cluster profile), which must find them there.
     */
    public static GatewayProcess startWithoutProvisioning(Map<String, String> extraEnvironment)
            throws IOException, InterruptedException {
        GatewayProcess gateway = prepare(extraEnvironment);
        gateway.launcher(gateway.startWait(), "start");
        return gateway;
    }

    /**
     * Starts a gateway as a user would with nothing set but its ports and home: the launcher then runs a private
     * spamd, here on a free port, and stops it with the gateway.
     */
    public static GatewayProcess startAsShipped(String user, String password) throws IOException, InterruptedException {
        Map<String, String> environment = new HashMap<>();
        environment.put("GATEWAY_SPAMD_PORT", String.valueOf(FreePorts.one()));
        return start(user, password, environment, true, home -> { });
    }

    /**
     * Starts a gateway whose launcher runs the private spam engine it chooses from {@code extraEnvironment}
     * ({@code GATEWAY_SPAM_ENGINE}), on the ports given there.
     */
    public static GatewayProcess startWithPrivateEngine(String user, String password, Map<String, String> extraEnvironment)
            throws IOException, InterruptedException {
        return start(user, password, extraEnvironment, true, home -> { });
    }

    private static GatewayProcess start(String user, String password, Map<String, String> extraEnvironment,
                                        boolean privateSpamd, HomeSetup setup) throws IOException, InterruptedException {
        GatewayProcess gateway = prepare(extraEnvironment, privateSpamd);
        try {
            setup.prepare(gateway.home);
            gateway.launcher(gateway.startWait(), "start", "--domain", DOMAIN, "--user", user, "--password", password);
        } catch (IOException | RuntimeException e) {
            gateway.removeHome();
            throw e;
        }
        return gateway;
    }

    /** A gateway's home, ports and environment, not started: for tests of a start that must fail ({@link #startAgain()}). */
    public static GatewayProcess prepare(Map<String, String> extraEnvironment) throws IOException {
        return prepare(extraEnvironment, false);
    }

    private static GatewayProcess prepare(Map<String, String> extraEnvironment, boolean privateSpamd) throws IOException {
        Path source = sourceFolder();
        Path home = Files.createTempDirectory("gateway-testkit-");
        if (privateSpamd) {
            // World-traversable, as a deployment's home is: spamd's children run as nobody when the tests run as root.
            Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Map<Port, Integer> ports = freePorts();
        Map<String, String> environment = new HashMap<>(extraEnvironment);
        // The launcher's default profile keeps everything in a Cassandra it starts; tests ask for it explicitly.
        environment.putIfAbsent("GATEWAY_PROFILE", "memory");
        if (!privateSpamd) {
            // The launcher's default runs a private spamd per gateway: seconds of start-up and a scan per message
            // in every test class. Tests of the spam filter bring their own spamd (a Companion) or ask for the shipped
            // default (startAsShipped); the others keep the filter looking for a spamd at the system port.
            environment.putIfAbsent("GATEWAY_START_SPAMD", "0");
        }
        environment.put("GATEWAY_HOME", home.toString());
        environment.put("GATEWAY_NO_BUILD", "1");
        environment.put("GATEWAY_BIND_ADDRESS", "127.0.0.1");
        environment.put("GATEWAY_JAVA_OPTS", "-Xms128m -Xmx512m");
        // Never the machine's resolver: tests that need DNS run a ZoneServer; the others get a loopback port where
        // nothing answers, so any lookup fails at once (temperror) instead of leaving the machine.
        environment.putIfAbsent("GATEWAY_DNS_SERVERS", "127.0.0.1:9");
        ports.forEach((port, number) -> environment.put(port.variable, String.valueOf(number)));
        return new GatewayProcess(source, home, ports, environment);
    }

    /**
     * The Gateway tree whose {@code bin/gateway} the tests run: {@code -Dgateway.source}, else {@code $GATEWAY_SOURCE},
     * else {@code ..}.
     */
    public static Path sourceFolder() {
        String configured = System.getProperty("gateway.source", System.getenv("GATEWAY_SOURCE"));
        return Path.of(configured == null || configured.isBlank() ? ".." : configured).toAbsolutePath().normalize();
    }

    public static GatewayProcess start(String user, String password) throws IOException, InterruptedException {
        return start(user, password, Map.of());
    }

    public int port(Port port) {
        return ports.get(port);
    }

    public Path home() {
        return home;
    }

    public Path source() {
        return source;
    }

    /**
     * How long {@code bin/gateway start} may take: {@link #START_TIMEOUT}, or longer when a test gives the launcher
     * longer ({@code GATEWAY_START_TIMEOUT}), so that the launcher's own message is what a failure shows.
     */
    private Duration startWait() {
        // The launcher inherits this JVM's environment: a GATEWAY_START_TIMEOUT set there (CI on a loaded machine)
        // counts too when the test sets none.
        String launcherTimeout = environment.getOrDefault("GATEWAY_START_TIMEOUT",
            System.getenv().getOrDefault("GATEWAY_START_TIMEOUT", "120"));
        Duration launcher = Duration.ofSeconds(Long.parseLong(launcherTimeout));
        Duration longer = launcher.plusSeconds(30);
        return longer.compareTo(START_TIMEOUT) > 0 ? longer : START_TIMEOUT;
    }

    /** The environment bin/gateway runs with: ports, home. Scripts driving the server take it too. */
    public Map<String, String> environment() {
        return Map.copyOf(environment);
    }

    public Path log() {
        return home.resolve("var/log/gateway.log");
    }

    /** Runs {@code bin/gateway} with the given arguments against this server and returns what it printed. */
    public String launcher(Duration timeout, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(source.resolve("bin/gateway").toString());
        command.addAll(List.of(arguments));
        return run(command, timeout, null);
    }

    public String addUser(String user, String password) throws IOException, InterruptedException {
        return run(List.of(source.resolve("bin/gateway").toString(), "add-user", user), Duration.ofSeconds(30), password);
    }

    /**
     * Runs a command with this server's environment, failing with its output when it exits non-zero or outlives
     * {@code timeout} (then it is killed with its children).
     */
    public String run(List<String> command, Duration timeout, String stdin) throws IOException, InterruptedException {
        Path output = Files.createTempFile(home, "command-", ".out");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (stdin != null) {
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        process.getOutputStream().close();
        boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        String printed = Files.readString(output);
        Files.delete(output);
        if (!finished) {
            throw new IllegalStateException(command + " timed out after " + timeout + ":\n" + printed);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(command + " exited " + process.exitValue() + ":\n" + printed
                + "\n--- gateway log ---\n" + logTail());
        }
        return printed;
    }

    /** Trusts exactly the certificate the launcher generated for this server, nothing else. */
    public SSLContext trustingServerCertificate() throws Exception {
        X509Certificate certificate;
        try (InputStream in = Files.newInputStream(home.resolve("var/tls/gateway.crt"))) {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore trustStore = KeyStore.getInstance(KeyStore.getDefaultType());
        trustStore.load(null, null);
        trustStore.setCertificateEntry("gateway", certificate);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trustStore);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /**
     * Where the log ends now. A test that expects a line of its own passes this, taken before it acts, to
     * {@link #logSince}: a tail of the last lines can lose that line to any burst of other lines in between.
     */
    public long logEnd() throws IOException {
        return Files.exists(log()) ? Files.size(log()) : 0;
    }

    /** What the server logged after {@code offset} (from {@link #logEnd}); the log is appended to, never rotated. */
    public String logSince(long offset) throws IOException {
        try (SeekableByteChannel channel = Files.newByteChannel(log())) {
            channel.position(offset);
            return new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * SIGSTOP: the JVM stops dead, as a hung machine would; its sockets stay open and nothing it holds is renewed.
     * Lets a test look at what the node holds at one instant before {@link #kill} or {@link #thaw}.
     */
    public void freeze() throws IOException, InterruptedException {
        String pid = signal("STOP");
        // kill returns once the signal is sent, not once it took effect: a thread inside a slow system call (a disk
        // write on a busy machine) finishes it first, and a delivery could complete after the test looked.
        Path tasks = Path.of("/proc", pid, "task");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!everyThreadStopped(tasks)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("process " + pid + " did not stop within 30 s of SIGSTOP");
            }
            Thread.sleep(5);
        }
    }

    private static boolean everyThreadStopped(Path tasks) throws IOException {
        try (var threads = Files.list(tasks)) {
            return threads.allMatch(thread -> {
                try {
                    String stat = Files.readString(thread.resolve("stat"));
                    char state = stat.substring(stat.lastIndexOf(')') + 2).charAt(0);
                    return state == 'T' || state == 't';
                } catch (IOException e) {
                    // The thread ended between the listing and the read: it runs nothing any more.
                    return true;
                }
            });
        }
    }

    /** SIGCONT after {@link #freeze}. */
    public void thaw() throws IOException, InterruptedException {
        signal("CONT");
    }

    private String signal(String signal) throws IOException, InterruptedException {
        String pid = Files.readString(home.resolve("var/run/gateway.pid")).trim();
        Process kill = new ProcessBuilder("kill", "-" + signal, pid).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + signal + " " + pid + " failed");
        }
        return pid;
    }

    /** kill -9, as a crash or a power cut of the JVM would: no shutdown hook runs, nothing is flushed. */
    public void kill() throws IOException, InterruptedException {
        String pid = signal("KILL");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (isAlive(pid) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    /** Whether the JVM named by the pid file still runs (a zombie waiting for its parent does not). */
    public boolean isRunning() throws IOException {
        return isAlive(Files.readString(home.resolve("var/run/gateway.pid")).trim());
    }

    private static boolean isAlive(String pid) throws IOException {
        Path stat = Path.of("/proc", pid, "stat");
        try {
            return !Files.readString(stat).split(" ")[2].equals("Z");
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
    }

    /**
     * Starts the server again on the same working directory and ports, after {@link #kill} or a stop. The memory
     * backend forgets domains and users, so they are provisioned again.
     */
    public void startAgain(String user, String password) throws IOException, InterruptedException {
        launcher(startWait(), "start", "--domain", DOMAIN, "--user", user, "--password", password);
    }

    /** Stops the server gracefully ({@code bin/gateway stop}) and keeps its working directory, to start it again. */
    public void stop() throws IOException, InterruptedException {
        launcher(Duration.ofMinutes(2), "stop");
    }

    /** Starts the server again on the same working directory and ports, provisioning nothing. */
    public void startAgain() throws IOException, InterruptedException {
        launcher(startWait(), "start");
    }

    /**
     * Stops the server and, once it is down, removes its working directory (keys, mail), keeping only its log, in
     * {@code target/gateway-logs/}, for a failed test's post-mortem.
     */
    @Override
    public void close() throws IOException, InterruptedException {
        launcher(Duration.ofMinutes(2), "stop");
        if (Files.exists(log())) {
            Path kept = Path.of("target", "gateway-logs", home.getFileName() + ".log");
            Files.createDirectories(kept.getParent());
            Files.copy(log(), kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        removeHome();
    }

    /**
     * Closes each server given that was started ({@code null}: never started), every one even when closing another
     * fails: a test class's {@code @AfterAll} with several nodes. The first failure is thrown, the others suppressed.
     */
    public static void closeAll(GatewayProcess... processes) throws Exception {
        Exception failure = null;
        for (GatewayProcess process : processes) {
            if (process == null) {
                continue;
            }
            try {
                process.close();
            } catch (IOException | InterruptedException | RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void removeHome() throws IOException {
        deleteTree(home);
    }

    /** Deletes a folder and everything under it. */
    static void deleteTree(Path folder) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    private static Map<Port, Integer> freePorts() {
        Map<Port, Integer> ports = new HashMap<>();
        List<Integer> free = FreePorts.take(Port.values().length);
        for (Port port : Port.values()) {
            ports.put(port, free.get(port.ordinal()));
        }
        return ports;
    }
}
