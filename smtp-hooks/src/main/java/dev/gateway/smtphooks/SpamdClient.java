package dev.gateway.smtphooks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small client for SpamAssassin's daemon, spamd, speaking the SPAMC/1.5 protocol over TCP: {@code SYMBOLS} to
 * scan a message (score, spamd's own threshold and the names of the rules that hit), {@code TELL} to teach its
 * Bayes database a message is spam or ham (spamd must run with {@code --allow-tell}), and {@code PING}.
 *
 * <p>Why not James's {@code SpamAssassinInvoker} (apache-james-spamassassin)? It opens its socket without a
 * connect or read timeout (a hung spamd blocks the SMTP thread forever), sends no {@code Content-length}, reads
 * only the {@code Spam:} line and turns an unparsable or error answer into "not spam" instead of a failure, and
 * returns no rule names. A gateway that must fail open or closed on purpose needs to tell "clean" from "spamd
 * did not answer": this client throws {@link SpamdException} for every answer that is not a complete EX_OK
 * result, within a connect timeout and an overall deadline for the whole exchange.
 *
 * <p>One connection per request (spamd closes it after answering). Thread-safe: it holds no state.
 */
public final class SpamdClient {

    private static final byte[] CRLF = {'\r', '\n'};
    private static final Pattern STATUS = Pattern.compile("SPAMD/(\\d+\\.\\d+) (\\d+) (.*)");
    private static final Pattern SPAM = Pattern.compile(
        "Spam: *(True|False|Yes|No) *; *(-?\\d+(?:\\.\\d+)?) */ *(-?\\d+(?:\\.\\d+)?)", Pattern.CASE_INSENSITIVE);
    private static final int MAX_RESPONSE_BYTES = 64 * 1024;

    /** What spamd said of one message. */
    public record Result(boolean spam, double score, double requiredScore, List<String> symbols) {
    }

    /** spamd could not be reached, did not answer in time, or answered something other than a result. */
    public static final class SpamdException extends IOException {
        private final boolean timeout;

        SpamdException(String message, Throwable cause, boolean timeout) {
            super(message, cause);
            this.timeout = timeout;
        }

        SpamdException(String message) {
            this(message, null, false);
        }

        /** True when spamd accepted the connection but did not answer within the read timeout. */
        public boolean isTimeout() {
            return timeout;
        }
    }

    private final String host;
    private final int port;
    private final Duration connectTimeout;
    private final Duration readTimeout;

    /**
     * @param connectTimeout how long to wait for the TCP connection
     * @param readTimeout how long the whole exchange may take once connected (sending the message and reading the
     *     complete answer): a deadline, not a per-read timeout, so a spamd trickling bytes cannot hold us longer
     */
    public SpamdClient(String host, int port, Duration connectTimeout, Duration readTimeout) {
        this.host = host;
        this.port = port;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    /** Scans a message; {@code user} (may be null) selects per-user settings where spamd allows them. */
    public Result check(byte[] message, String user) throws SpamdException {
        StringBuilder headers = new StringBuilder("SYMBOLS SPAMC/1.5\r\n")
            .append("Content-length: ").append(message.length).append("\r\n");
        if (user != null && !user.isBlank()) {
            headers.append("User: ").append(user.replaceAll("[\\r\\n]", "")).append("\r\n");
        }
        String answer = exchange(headers.append("\r\n").toString(), message);
        return parseSymbolsAnswer(answer);
    }

    /**
     * Teaches spamd's Bayes database that a message is spam ({@code spam} true) or ham, replacing what it learned of
     * that message before. Returns true when spamd changed its database, false when it already knew the message as
     * such.
     */
    public boolean tell(byte[] message, boolean spam, String user) throws SpamdException {
        StringBuilder headers = new StringBuilder("TELL SPAMC/1.5\r\n")
            .append("Content-length: ").append(message.length).append("\r\n")
            .append("Message-class: ").append(spam ? "spam" : "ham").append("\r\n")
            .append("Set: local\r\n");
        if (user != null && !user.isBlank()) {
            headers.append("User: ").append(user.replaceAll("[\\r\\n]", "")).append("\r\n");
        }
        String answer = exchange(headers.append("\r\n").toString(), message);
        String status = answer.lines().findFirst().orElse("");
        Matcher matcher = STATUS.matcher(status.trim());
        if (!matcher.matches()) {
            throw new SpamdException("unexpected answer from spamd to TELL: " + abbreviate(answer));
        }
        if (!matcher.group(2).equals("0")) {
            throw new SpamdException("spamd refused TELL (is it running with --allow-tell?): " + status.trim());
        }
        return answer.lines().anyMatch(line -> line.startsWith("DidSet:"));
    }

    /** True when spamd answers PING with PONG. */
    public boolean ping() {
        try {
            String answer = exchange("PING SPAMC/1.5\r\n\r\n", new byte[0]);
            return answer.contains("PONG");
        } catch (SpamdException e) {
            return false;
        }
    }

    public String endpoint() {
        return host + ":" + port;
    }

    private String exchange(String headers, byte[] body) throws SpamdException {
        long deadline = System.nanoTime() + readTimeout.toNanos();
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(remainingMillis(deadline));
            try {
                socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, connectTimeout.toMillis()));
            } catch (SocketTimeoutException e) {
                throw new SpamdException("spamd at " + endpoint() + ": no connection within " + connectTimeout.toMillis() + " ms", e, false);
            }
            deadline = System.nanoTime() + readTimeout.toNanos();
            OutputStream out = socket.getOutputStream();
            out.write(headers.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            socket.shutdownOutput();
            return readAll(socket, deadline);
        } catch (SpamdException e) {
            throw e;
        } catch (SocketTimeoutException e) {
            throw new SpamdException("spamd at " + endpoint() + ": no answer within " + readTimeout.toMillis() + " ms", e, true);
        } catch (IOException e) {
            throw new SpamdException("spamd at " + endpoint() + ": " + e, e, false);
        }
    }

    private String readAll(Socket socket, long deadline) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        while (true) {
            socket.setSoTimeout(remainingMillis(deadline));
            int read = in.read(buffer);
            if (read < 0) {
                return answer.toString(StandardCharsets.UTF_8);
            }
            answer.write(buffer, 0, read);
            if (answer.size() > MAX_RESPONSE_BYTES) {
                throw new SpamdException("spamd at " + endpoint() + ": answer larger than " + MAX_RESPONSE_BYTES + " bytes");
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

    /**
     * Parses spamd's answer to SYMBOLS:
     * <pre>
     * SPAMD/1.1 0 EX_OK
     * Content-length: 24
     * Spam: True ; 1000.0 / 5.0
     *
     * GTUBE,MSGID_SHORT,NO_RELAYS
     * </pre>
     */
    static Result parseSymbolsAnswer(String answer) throws SpamdException {
        int headerEnd = answer.indexOf("\r\n\r\n");
        int separator = 4;
        if (headerEnd < 0) {
            headerEnd = answer.indexOf("\n\n");
            separator = 2;
        }
        String head = headerEnd < 0 ? answer : answer.substring(0, headerEnd);
        String body = headerEnd < 0 ? "" : answer.substring(headerEnd + separator);
        String[] lines = head.split("\r?\n");
        Matcher status = STATUS.matcher(lines[0].trim());
        if (!status.matches()) {
            throw new SpamdException("unexpected answer from spamd: " + abbreviate(answer));
        }
        if (!status.group(2).equals("0")) {
            throw new SpamdException("spamd refused the request: " + lines[0].trim());
        }
        for (String line : Arrays.asList(lines).subList(1, lines.length)) {
            Matcher spam = SPAM.matcher(line.trim());
            if (spam.matches()) {
                String verdict = spam.group(1).toLowerCase(Locale.ROOT);
                List<String> symbols = Arrays.stream(body.trim().split("[,\\s]+"))
                    .filter(symbol -> !symbol.isBlank())
                    .toList();
                return new Result(verdict.equals("true") || verdict.equals("yes"),
                    Double.parseDouble(spam.group(2)), Double.parseDouble(spam.group(3)), symbols);
            }
        }
        throw new SpamdException("no Spam: line in spamd's answer: " + abbreviate(answer));
    }

    private static String abbreviate(String text) {
        String oneLine = text.replaceAll("\\s+", " ").trim();
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine;
    }
}
