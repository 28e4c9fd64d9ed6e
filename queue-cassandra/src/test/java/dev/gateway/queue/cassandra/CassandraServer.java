package dev.gateway.queue.cassandra;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.management.JMException;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import org.apache.commons.io.FileUtils;
import org.apache.james.backends.cassandra.components.CassandraModule;
import org.junit.jupiter.api.extension.ExtensionContext;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;

import dev.gateway.testkit.FreePorts;

/**
 * A real single-node Cassandra for tests, run by the project's own {@code bin/cassandra} on free loopback ports in a
 * temporary directory, removed when it stops. One is shared by all the tests of a JVM (see {@link #shared}).
 */
public final class CassandraServer implements ExtensionContext.Store.CloseableResource {

    private final Path repository;
    private final Path directory;
    private final Map<String, String> environment;
    private final int port;
    private final int jmxPort;

    private CassandraServer(Path repository, Path directory, int port, int storagePort, int jmxPort,
                            Map<String, String> extraEnvironment) {
        this.repository = repository;
        this.directory = directory;
        this.port = port;
        this.jmxPort = jmxPort;
        // No heap of its own: a class's servers run bin/cassandra's default, the heap that ships.
        Map<String, String> environment = new HashMap<>(extraEnvironment);
        environment.putAll(Map.of(
            "GATEWAY_CASSANDRA_DIR", directory.toString(),
            "GATEWAY_CASSANDRA_PORT", String.valueOf(port),
            "GATEWAY_CASSANDRA_STORAGE_PORT", String.valueOf(storagePort),
            "GATEWAY_CASSANDRA_JMX_PORT", String.valueOf(jmxPort)));
        this.environment = Map.copyOf(environment);
    }

    /**
     * Cassandra's own test switch: schema changes are not flushed to disk one by one. Each cluster test class creates
     * a keyspace of about 70 tables, and the flush after each table was most of it: a gateway's first start on a new
     * keyspace spent 13-23 s creating tables with it and 6 s without (2026-12-02, three starts each, machine loaded).
     * The changes are in the commit log all the same; a crash before a flush is what this changes, so a test that
     * kills the node flushes the schema once its keyspace exists ({@link #flushSchema}; {@link #kill} does it before
     * its SIGKILL), which leaves a killed node as a production node would be.
     */
    private static final String NO_SCHEMA_FLUSH = "-Dcassandra.test.flush_local_schema_changes=false";

    /**
     * The shared server's heap. Each test class on it creates keyspaces of its own (about 70 tables each), each table
     * with its memtable, metrics and metadata in the heap: with none dropped, 768 MB (the default heap then; one
     * gateway's keyspace fits in the 448 MB of bin/cassandra) ran out in a fresh-clone run of 2026-12-01 at fourteen
     * keyspaces, and every cluster test after it failed.
     * They are dropped now when the next class comes ({@link #shared}); the larger heap stays as headroom for a class
     * that creates several.
     */
    private static final Map<String, String> SHARED = Map.of("GATEWAY_CASSANDRA_HEAP", "2G",
        "GATEWAY_CASSANDRA_JAVA_OPTS", NO_SCHEMA_FLUSH);

    /** The test class that last asked for the shared server; its keyspaces are dropped when another class asks. */
    private Class<?> occupant;

    /**
     * The JVM-wide server, started by the first test class that asks, stopped when the test run ends. When a class
     * other than the last one asks, the keyspaces the earlier classes left are dropped first: a JVM runs its classes
     * one after the other, so their gateways are stopped by then (with {@code -Dgateway.e2e.forks=N} the end-to-end
     * tests run N JVMs, each with its own shared server).
     */
    public static CassandraServer shared(ExtensionContext context) {
        CassandraServer server = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
            .getOrComputeIfAbsent(CassandraServer.class, key -> start(SHARED), CassandraServer.class);
        server.occupiedBy(outermost(context));
        return server;
    }

    /**
     * The top-level test class a context runs in. A {@code @Nested} class counts as its outer class; walking the
     * contexts rather than the enclosing classes also covers a nested class inherited from a contract (James's
     * {@code MessageMapperTest$SaveDateTests} runs inside the class that extends the contract).
     */
    private static Class<?> outermost(ExtensionContext context) {
        ExtensionContext outer = context;
        while (outer.getParent().flatMap(ExtensionContext::getTestClass).isPresent()) {
            outer = outer.getParent().get();
        }
        return outer.getRequiredTestClass();
    }

    private synchronized void occupiedBy(Class<?> testClass) {
        if (occupant != null && !occupant.equals(testClass)) {
            dropKeyspacesLeftBy(occupant);
        }
        occupant = testClass;
    }

    private void dropKeyspacesLeftBy(Class<?> earlier) {
        long start = System.nanoTime();
        try (CqlSession session = client()) {
            List<String> keyspaces = session.execute("SELECT keyspace_name FROM system_schema.keyspaces").all().stream()
                .map(row -> row.getString("keyspace_name"))
                .filter(name -> !name.startsWith("system"))
                .toList();
            for (String keyspace : keyspaces) {
                session.execute(SimpleStatement.newInstance("DROP KEYSPACE IF EXISTS \"" + keyspace + "\"")
                    .setTimeout(Duration.ofMinutes(2)));
            }
            System.out.printf("Shared test Cassandra: dropped %s, left by %s, in %d ms%n", keyspaces,
                earlier.getSimpleName(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
    }

    /** A driver session on this server for a test's own statements; the caller closes it. */
    public CqlSession client() {
        return CqlSession.builder()
            .addContactPoint(new InetSocketAddress("127.0.0.1", port))
            .withLocalDatacenter("datacenter1")
            .build();
    }

    public static CassandraServer start() {
        return start(Map.of());
    }

    /**
     * A server of its own, started with more of bin/cassandra's variables (e.g. {@code GATEWAY_CASSANDRA_AUTHENTICATOR});
     * the caller closes it. Its ports and folder are its own, so it runs beside the shared servers.
     */
    public static CassandraServer start(Map<String, String> extraEnvironment) {
        try {
            Path repository = Path.of(System.getProperty("gateway.source", "..")).toAbsolutePath().normalize();
            Path directory = Files.createTempDirectory("gateway-cassandra-");
            // Below the ephemeral range: no outgoing connection takes one before bin/cassandra binds it.
            List<Integer> ports = FreePorts.take(3);
            CassandraServer server = new CassandraServer(repository, directory, ports.get(0), ports.get(1),
                ports.get(2), extraEnvironment);
            server.run("start");
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("Could not start Cassandra", e);
        }
    }

    public int port() {
        return port;
    }

    public CassandraConnection connection(String keyspace) {
        return new CassandraConnection(List.of(new InetSocketAddress("127.0.0.1", port)), "datacenter1", keyspace, 1,
            Duration.ofSeconds(20));
    }

    /**
     * A session on the keyspace, its tables created. The schema is not flushed: a test that kills this node calls
     * {@link #flushSchema} first ({@link #kill} does).
     */
    public CqlSession session(String keyspace, CassandraModule tables) {
        return connection(keyspace).open(tables);
    }

    /** Environment for a gateway process that should use this Cassandra. */
    public Map<String, String> gatewayEnvironment(String keyspace) {
        return Map.of("GATEWAY_CASSANDRA_HOSTS", "127.0.0.1:" + port, "GATEWAY_CASSANDRA_KEYSPACE", keyspace);
    }

    /** kill -9, as a crash would. */
    public void kill() {
        flushSchema();
        run("kill");
    }

    /**
     * SIGKILL sent from this JVM at once, without the few hundred milliseconds of starting {@code bin/cassandra kill}
     * on a busy machine: a crash test that must hit the moment right after Cassandra acknowledged a write (before
     * its commit log marks it) calls this from the thread that saw the acknowledgement. Nothing is flushed first:
     * the test calls {@link #flushSchema} once its keyspace exists.
     */
    public void killNow() {
        try {
            ProcessHandle process = process();
            process.destroyForcibly();
            process.onExit().get(1, TimeUnit.MINUTES);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Could not kill Cassandra", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while killing Cassandra", e);
        }
    }

    /** The running Cassandra process, as its pid file names it. */
    public ProcessHandle process() {
        try {
            long pid = Long.parseLong(Files.readString(directory.resolve("cassandra.pid")).trim());
            return ProcessHandle.of(pid)
                .orElseThrow(() -> new IllegalStateException("Cassandra (pid " + pid + ") is not running"));
        } catch (IOException e) {
            throw new IllegalStateException("Could not read Cassandra's pid file", e);
        }
    }

    /**
     * What a node that flushes each schema change has on disk: without it, a node killed before its next flush starts
     * again without the keyspaces created since, and the commit log's writes to their tables are skipped as writes to
     * unknown tables. Only the schema's tables are flushed; the data's memtables stay as the crash finds them. Does
     * nothing on a server that flushes each schema change itself.
     */
    public void flushSchema() {
        if (!environment.getOrDefault("GATEWAY_CASSANDRA_JAVA_OPTS", "").contains(NO_SCHEMA_FLUSH)) {
            return;
        }
        try (JMXConnector jmx = JMXConnectorFactory.connect(
            new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi"))) {
            jmx.getMBeanServerConnection().invoke(new ObjectName("org.apache.cassandra.db:type=StorageService"),
                "forceKeyspaceFlush", new Object[] {"system_schema", new String[0]},
                new String[] {String.class.getName(), String[].class.getName()});
        } catch (IOException | JMException e) {
            throw new IllegalStateException("Could not flush Cassandra's schema tables before killing it", e);
        }
    }

    /** A clean stop (SIGTERM), keeping the data. */
    public void stop() {
        run("stop");
    }

    public void startAgain() {
        run("start");
    }

    /**
     * Stops the server and removes its directory, keeping only its log, in {@code target/cassandra-logs/}, for a
     * failed test's post-mortem (what it replayed after a kill, what it warned about).
     */
    @Override
    public void close() throws IOException {
        try {
            run("stop");
        } finally {
            Path log = directory.resolve("logs/system.log");
            if (Files.exists(log)) {
                Path kept = Path.of("target", "cassandra-logs", directory.getFileName() + ".log");
                Files.createDirectories(kept.getParent());
                Files.copy(log, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            FileUtils.deleteDirectory(directory.toFile());
        }
    }

    private void run(String command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(repository.resolve("bin/cassandra").toString(), command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT);
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("bin/cassandra " + command + " failed (logs in " + directory + "/logs)");
            }
        } catch (IOException e) {
            throw new IllegalStateException("Could not run bin/cassandra " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running bin/cassandra " + command, e);
        }
    }
}
