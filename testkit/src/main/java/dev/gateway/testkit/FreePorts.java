package dev.gateway.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
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
 */
public final class FreePorts {

    /** Below Linux's default ephemeral range and above the registered ports most local services use. */
    private static final int LOWEST = 20_000;
    private static final int HIGHEST = 32_000;
    private static final int ATTEMPTS = 1_000;

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
            if (!ports.contains(candidate) && bindable(candidate)) {
                ports.add(candidate);
            }
        }
        if (ports.size() < count) {
            throw new IllegalStateException("found " + ports.size() + " free ports of " + count + " between "
                + LOWEST + " and " + HIGHEST + " in " + ATTEMPTS + " attempts");
        }
        return ports;
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
