package dev.gateway.smtphooks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * One request to a spam engine over its own TCP connection: connect within {@code connectTimeout}, write the request
 * (then half-close, for spamd), and read the whole answer until the engine closes, all within a deadline of {@code readTimeout} counted
 * from the connection (not a per-read timeout, so an engine trickling bytes cannot hold a message longer). spamd
 * closes after every answer, and rspamd does after an HTTP/1.0 request, so the end of the answer is the end of the
 * stream. Every failure is a {@link SpamEngineException}. Thread-safe: it holds no state but its settings.
 */
final class EngineConnection {

    private final String name;
    private final String host;
    private final int port;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final int maxResponseBytes;
    private final boolean halfClose;

    /**
     * @param name what the engine is called in error messages: "spamd", "rspamd"
     * @param halfClose whether to shut our side down once the request is written: spamd is used to it; rspamd takes
     *     it for a client that went away and drops a scan still running (its log: "the peer has closed connection
     *     unexpectedly"), so its requests end with their Content-Length alone
     */
    EngineConnection(String name, String host, int port, Duration connectTimeout, Duration readTimeout, int maxResponseBytes,
                     boolean halfClose) {
        this.name = name;
        this.host = host;
        this.port = port;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.maxResponseBytes = maxResponseBytes;
        this.halfClose = halfClose;
    }

    String endpoint() {
        return host + ":" + port;
    }

    int port() {
        return port;
    }

    /** Sends {@code head} then {@code body} and returns every byte of the answer. */
    byte[] exchange(byte[] head, byte[] body) throws SpamEngineException {
        long deadline = System.nanoTime() + readTimeout.toNanos();
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(remainingMillis(deadline));
            try {
                socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, connectTimeout.toMillis()));
            } catch (SocketTimeoutException e) {
                throw new SpamEngineException(name + " at " + endpoint() + ": no connection within " + connectTimeout.toMillis() + " ms", e, false);
            }
            deadline = System.nanoTime() + readTimeout.toNanos();
            OutputStream out = socket.getOutputStream();
            out.write(head);
            out.write(body);
            out.flush();
            if (halfClose) {
                socket.shutdownOutput();
            }
            return readAll(socket, deadline);
        } catch (SpamEngineException e) {
            throw e;
        } catch (SocketTimeoutException e) {
            throw new SpamEngineException(name + " at " + endpoint() + ": no answer within " + readTimeout.toMillis() + " ms", e, true);
        } catch (IOException e) {
            throw new SpamEngineException(name + " at " + endpoint() + ": " + e, e, false);
        }
    }

    private byte[] readAll(Socket socket, long deadline) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        while (true) {
            socket.setSoTimeout(remainingMillis(deadline));
            int read = in.read(buffer);
            if (read < 0) {
                return answer.toByteArray();
            }
            answer.write(buffer, 0, read);
            if (answer.size() > maxResponseBytes) {
                throw new SpamEngineException(name + " at " + endpoint() + ": answer larger than " + maxResponseBytes + " bytes");
            }
        }
    }

    private static int remainingMillis(long deadline) throws SocketTimeoutException {
        long remaining = (deadline - System.nanoTime()) / 1_000_000;
        if (remaining <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return (int) Math.min(Integer.MAX_VALUE, remaining);
    }

    /** An engine's answer on one line, cut at 200 characters: for error messages and logs. */
    static String abbreviate(String text) {
        String oneLine = text.replaceAll("\\s+", " ").trim();
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine;
    }
}
