package dev.gateway.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An authoritative DNS server on 127.0.0.1 serving the test's zones (scripts/zone_server.py, on Debian's
 * python3-dnslib), so that tests never use the machine's resolver. Register it before the gateway and give the
 * gateway {@link #gatewayEnvironment()}:
 *
 * <pre>{@code
 * @RegisterExtension @Order(1) static final ZoneServer DNS = new ZoneServer();
 * @RegisterExtension @Order(2) static final GatewayExtension GATEWAY =
 *     new GatewayExtension(USER, PASSWORD, () -> DNS.gatewayEnvironment(Map.of(...)));
 * }</pre>
 *
 * Records can be changed while it runs: the zone file is read again at every query.
 */
public final class ZoneServer implements BeforeAllCallback, AfterAllCallback {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Map<String, Object>> records = new ArrayList<>();
    private final List<String> servfail = new ArrayList<>();
    private final List<String> silent = new ArrayList<>();
    private Path dir;
    private Process process;
    private int port;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("gateway-dns");
        writeZone();
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path script = Path.of("src/test/scripts/zone_server.py").toAbsolutePath();
        process = new ProcessBuilder("/usr/bin/python3", script.toString(), "127.0.0.1", String.valueOf(port),
            zoneFile().toString(), queryLog().toString())
            .redirectError(dir.resolve("stderr.log").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith("ready")) {
            process.destroy();
            throw new IOException("zone_server.py did not start: " + Files.readString(dir.resolve("stderr.log")));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        if (dir != null) {
            try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    /** The gateway's settings for this server, plus the given ones. */
    public Map<String, String> gatewayEnvironment(Map<String, String> more) {
        Map<String, String> environment = new java.util.HashMap<>(more);
        environment.put("GATEWAY_DNS_SERVERS", address());
        environment.putIfAbsent("GATEWAY_DNS_TIMEOUT", "2s");
        return environment;
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    public synchronized ZoneServer publish(String name, String type, String value, int ttl) throws IOException {
        records.add(Map.of("name", name, "type", type, "value", value, "ttl", ttl));
        writeZone();
        return this;
    }

    public ZoneServer publishTxt(String name, String value) throws IOException {
        return publish(name, "TXT", value, 300);
    }

    /** Makes every query for this name answer SERVFAIL. */
    public synchronized ZoneServer failing(String name) throws IOException {
        servfail.add(name);
        writeZone();
        return this;
    }

    /** Makes every query for this name go unanswered. */
    public synchronized ZoneServer unanswered(String name) throws IOException {
        silent.add(name);
        writeZone();
        return this;
    }

    /** Every query received so far, as "name TYPE". */
    public List<String> queries() throws IOException {
        return Files.exists(queryLog()) ? Files.readAllLines(queryLog()) : List.of();
    }

    private Path zoneFile() {
        return dir.resolve("zone.json");
    }

    private Path queryLog() {
        return dir.resolve("queries.log");
    }

    /** Written aside and moved in, so that the server never reads half a file. */
    private synchronized void writeZone() throws IOException {
        if (dir == null) {
            return;
        }
        Path next = dir.resolve("zone.json.next");
        JSON.writeValue(next.toFile(), Map.of("records", records, "servfail", servfail, "silent", silent));
        Files.move(next, zoneFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
