package dev.gateway.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A small raw IMAP/POP3 client over implicit TLS (IMAPS, POP3S), the one {@link MailLoad} and {@link ImapAbuse} use.
 * Raw rather than Jakarta Mail: the time of each command is measured from its last byte sent to its tagged reply,
 * with no client-side cache, prefetch or folder bookkeeping in between; it costs the generator little CPU, which
 * matters on a 2-core machine where client and server share the cores; and the hostile clients need to send what no
 * mail library would (half a literal, 5000 parentheses). Every server under test has a self-signed certificate on
 * loopback, so every certificate is trusted.
 */
final class MailClient implements AutoCloseable {

    private static final Pattern LITERAL = Pattern.compile("\\{(\\d+)\\+?}$");
    private static final Pattern EXISTS = Pattern.compile("^\\* (\\d+) EXISTS");
    private static final SSLContext TRUST_ALL = trustAll();

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private int tag;
    /** The last {@code * N EXISTS} an IMAP response carried. */
    private int exists = -1;

    private MailClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }

    /** Connects over TLS from {@code source} (another loopback address for the hostile clients, or null). */
    static MailClient connect(String host, int port, InetAddress source, int timeoutMillis) throws IOException {
        Socket plain = new Socket();
        try {
            if (source != null) {
                plain.bind(new java.net.InetSocketAddress(source, 0));
            }
            plain.connect(new java.net.InetSocketAddress(host, port), timeoutMillis);
            plain.setTcpNoDelay(true);
            plain.setSoTimeout(timeoutMillis);
            SSLSocket tls = (SSLSocket) TRUST_ALL.getSocketFactory().createSocket(plain, host, port, true);
            tls.startHandshake();
            return new MailClient(tls);
        } catch (IOException e) {
            plain.close();
            throw e;
        }
    }

    int exists() {
        return exists;
    }

    String nextTag() {
        return "a" + (++tag);
    }

    void send(String line) throws IOException {
        out.write(line.getBytes(StandardCharsets.UTF_8));
        out.write('\r');
        out.write('\n');
        out.flush();
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** One IMAP command and its whole response; returns the tagged line. Literals in the response are skipped. */
    String imap(String command) throws IOException {
        String tagged = nextTag();
        send(tagged + " " + command);
        return imapResponse(tagged);
    }

    /** An IMAP command with one synchronizing literal: {@code prefix {n}}, wait for "+", then the bytes. */
    String imapWithLiteral(String prefix, byte[] literal) throws IOException {
        String tagged = nextTag();
        send(tagged + " " + prefix + " {" + literal.length + "}");
        String line = readLine();
        while (line.startsWith("* ")) {
            line = readLine();
        }
        if (!line.startsWith("+")) {
            return line;
        }
        out.write(literal);
        out.write('\r');
        out.write('\n');
        out.flush();
        return imapResponse(tagged);
    }

    String imapResponse(String tagged) throws IOException {
        String prefix = tagged + " ";
        while (true) {
            String line = readLine();
            Matcher literal = LITERAL.matcher(line);
            while (literal.find()) {
                in.skipNBytes(Long.parseLong(literal.group(1)));
                line = readLine();
                literal = LITERAL.matcher(line);
            }
            if (line.startsWith(prefix)) {
                return line;
            }
            Matcher count = EXISTS.matcher(line);
            if (count.find()) {
                exists = Integer.parseInt(count.group(1));
            }
        }
    }

    /** Reads POP3 multi-line data up to the terminating "." line; returns the number of lines. */
    int pop3MultiLine() throws IOException {
        int lines = 0;
        while (!readLine().equals(".")) {
            lines++;
        }
        return lines;
    }

    /** A line without its CRLF; bytes as ISO-8859-1 so any octet reads. */
    String readLine() throws IOException {
        StringBuilder line = new StringBuilder(80);
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("connection closed after: " + abbreviate(line));
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    private static String abbreviate(CharSequence line) {
        return line.length() > 200 ? line.subSequence(0, 200) + "..." : line.toString();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a socket the server may have dropped already
        }
    }

    /** Encryption without checking the server's self-signed certificate: loopback benchmarks only. */
    static SSLContext trustAll() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
