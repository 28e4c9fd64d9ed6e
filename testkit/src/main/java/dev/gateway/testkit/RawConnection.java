package dev.gateway.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A bare TCP (or TLS) connection to one of the gateway's listeners that sends exactly the bytes it is given, in
 * one write: what hostile-input tests need and no protocol library allows (bare CR/LF, NUL bytes, commands
 * pipelined behind STARTTLS in the same packet, half-sent literals). Replies are read as ISO-8859-1 text.
 */
public final class RawConnection implements AutoCloseable {

    /** The last line of an SMTP reply: three digits and a space. */
    public static final Pattern SMTP_REPLY_END = Pattern.compile("(?m)^\\d{3} [^\\r\\n]*\\r\\n");

    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final ByteArrayOutputStream unread = new ByteArrayOutputStream();
    private boolean closedByServer;
    private String closeReason = "end of stream";
    private String closeError;

    private RawConnection(Socket socket) throws IOException {
        use(socket);
    }

    public static RawConnection open(GatewayProcess gateway, GatewayProcess.Port port) throws IOException {
        return new RawConnection(new Socket(InetAddress.getLoopbackAddress(), gateway.port(port)));
    }

    /** From another loopback address (127.0.0.2, ...), to be counted apart by per-address limits. */
    public static RawConnection openFrom(InetAddress source, GatewayProcess gateway, GatewayProcess.Port port) throws IOException {
        return new RawConnection(new Socket(InetAddress.getLoopbackAddress(), gateway.port(port), source, 0));
    }

    public static RawConnection openTls(GatewayProcess gateway, GatewayProcess.Port port, SSLContext tls) throws IOException {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), gateway.port(port));
        socket.startHandshake();
        return new RawConnection(socket);
    }

    /** Implicit TLS from another loopback address. */
    public static RawConnection openTlsFrom(InetAddress source, GatewayProcess gateway, GatewayProcess.Port port, SSLContext tls) throws IOException {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), gateway.port(port), source, 0);
        socket.startHandshake();
        return new RawConnection(socket);
    }

    private void use(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Upgrades this connection to TLS (after the server's go-ahead to STARTTLS/STLS has been read). */
    public void startTls(SSLContext tls) throws IOException {
        SSLSocket upgraded = (SSLSocket) tls.getSocketFactory().createSocket(socket, "localhost", socket.getPort(), true);
        upgraded.setUseClientMode(true);
        upgraded.startHandshake();
        use(upgraded);
    }

    /** Writes the text (ISO-8859-1, so every char is one byte) in one write and flushes it. */
    public void send(String bytes) throws IOException {
        send(bytes.getBytes(StandardCharsets.ISO_8859_1));
    }

    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /**
     * Reads until what was received matches {@code end}, and returns it all (including anything received before and
     * not yet returned). Fails when the server closes the connection or stays silent for {@code timeout} first.
     */
    public String readUntil(Pattern end, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!end.matcher(pending()).find()) {
            if (!readSome(deadline)) {
                throw new IOException((closedByServer ? "connection closed (" + closeReason + ")" : "no reply within " + timeout)
                    + " while waiting for " + end + "; got: " + pending());
            }
        }
        String received = pending();
        unread.reset();
        return received;
    }

    /** Reads one SMTP reply (up to its last line). */
    public String smtpReply() throws IOException {
        return readUntil(SMTP_REPLY_END, Duration.ofSeconds(20));
    }

    /** Reads up to a line that starts with {@code prefix} (an IMAP tag, "+OK", "-ERR", ...). */
    public String lineStartingWith(String prefix) throws IOException {
        return readUntil(Pattern.compile("(?m)^" + Pattern.quote(prefix) + "[^\\r\\n]*\\r\\n"), Duration.ofSeconds(20));
    }

    /**
     * Reads whatever the server sends until it closes the connection, and returns it; fails when the connection is
     * still open after {@code timeout}.
     */
    public String readUntilClosed(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!closedByServer) {
            if (!readSome(deadline) && !closedByServer) {
                throw new IOException("still open after " + timeout + "; got: " + pending());
            }
        }
        String received = pending();
        unread.reset();
        return received;
    }

    /** Everything received and not yet returned, once the server has said nothing more for {@code quiet}. */
    public String drain(Duration quiet) throws IOException {
        while (readSome(System.nanoTime() + quiet.toNanos())) {
            // keep reading until the server goes quiet or closes
        }
        String received = pending();
        unread.reset();
        return received;
    }

    public boolean closedByServer() {
        return closedByServer;
    }

    /** Why reading failed when the server did not end the connection cleanly (a reset, a TLS error); empty otherwise. */
    public java.util.Optional<String> closeError() {
        return java.util.Optional.ofNullable(closeError);
    }

    /** Reads what is available before the deadline; false when nothing came (timeout or end of stream). */
    private boolean readSome(long deadline) throws IOException {
        long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        if (deadline - System.nanoTime() <= 0 || closedByServer) {
            return false;
        }
        socket.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
        byte[] buffer = new byte[8192];
        try {
            int read = in.read(buffer);
            if (read < 0) {
                closedByServer = true;
                return false;
            }
            unread.write(buffer, 0, read);
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            // A reset or a TLS close without close_notify: the server is gone all the same.
            closedByServer = true;
            closeReason = e.toString();
            closeError = closeReason;
            return false;
        }
    }

    private String pending() {
        return unread.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
