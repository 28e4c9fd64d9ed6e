package dev.gateway.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for a server a test is about to start: free now, and outside the range the system hands out to outgoing
 * connections.
 *
 * <p>Why not {@code new ServerSocket(0)}: the port it picks comes from Linux's ephemeral range (32768-60999), the
 * same range every outgoing connection's local port comes from. Between the test closing that socket and the server
 * binding the port, the Cassandra driver, an HTTP client or another test's client may take it for a connection of
 * its own: the server then fails with {@code BindException} (seen in {@code LauncherIT}: the gateway's IMAP port
 * taken at start). Ports below that range are only ever taken by servers asking for them.
 *
 * <p>A port is handed out once per JVM. A test asks for ports in several calls before it starts the servers that bind
 * them ({@code LauncherIT} takes Cassandra's three, then {@code GatewayProcess} takes the gateway's ten and spamd's), and
 * a port not yet bound is free to the next call too: two servers were then given one port, and the one started second
 * failed with {@code BindException} (the gateway's submission listener in {@code LauncherIT}, in a CI run of
 * 2026-12-07). The set of ports handed out is static because the ports are the machine's, not any one caller's.
 */
public final class FreePorts {

    /** Below Linux's default ephemeral range and above the registered ports most local services use. */
    private static final int LOWEST = 20_000;
    private static final int HIGHEST = 32_000;
    private static final int ATTEMPTS = 1_000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /** One free port. */
    public static int one() {
        return take(1).get(0);
    }

    /** {@code count} distinct free ports. */
    public static List<Integer> take(int count) {
        List<Integer> ports = new ArrayList<>();
        for (int attempt = 0; attempt < ATTEMPTS && ports.size() < count; attempt++) {
            int candidate = ThreadLocalRandom.current().nextInt(LOWEST, HIGHEST);
            if (!HANDED_OUT.contains(candidate) && bindable(candidate) && HANDED_OUT.add(candidate)) {
                ports.add(candidate);
            }
        }
        if (ports.size() < count) {
            throw new IllegalStateException("found " + ports.size() + " free ports of " + count + " between "
                + LOWEST + " and " + HIGHEST + " in " + ATTEMPTS + " attempts");
        }
        return ports;
    }

    /**
     * Whether a listening socket can bind {@code port} now without {@code SO_REUSEADDR}, which Java's
     * {@code ServerSocket} turns on by default on Linux: with it, a port that a stopped server's connections still hold
     * in TIME_WAIT would look free to a server that binds without it.
     */
    static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
