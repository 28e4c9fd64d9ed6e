package dev.gateway.smtphooks;

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
public final class SpamdClient implements SpamEngine {

    private static final byte[] CRLF = {'\r', '\n'};
    private static final Pattern STATUS = Pattern.compile("SPAMD/(\\d+\\.\\d+) (\\d+) (.*)");
    private static final Pattern SPAM = Pattern.compile(
        "Spam: *(True|False|Yes|No) *; *(-?\\d+(?:\\.\\d+)?) */ *(-?\\d+(?:\\.\\d+)?)", Pattern.CASE_INSENSITIVE);
    private static final int MAX_RESPONSE_BYTES = 64 * 1024;

    /** What spamd said of one message. */
    public record Result(boolean spam, double score, double requiredScore, List<String> symbols) {
    }

    /** spamd could not be reached, did not answer in time, or answered something other than a result. */
    public static final class SpamdException extends SpamEngineException {

        SpamdException(String message, Throwable cause, boolean timeout) {
            super(message, cause, timeout);
        }

        SpamdException(String message) {
            super(message);
        }
    }

    private final EngineConnection connection;

    /**
     * @param connectTimeout how long to wait for the TCP connection
     * @param readTimeout how long the whole exchange may take once connected (sending the message and reading the
     *     complete answer): a deadline, not a per-read timeout, so a spamd trickling bytes cannot hold us longer
     */
    public SpamdClient(String host, int port, Duration connectTimeout, Duration readTimeout) {
        this.connection = new EngineConnection("spamd", host, port, connectTimeout, readTimeout, MAX_RESPONSE_BYTES, true);
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
            throw new SpamdException("unexpected answer from spamd to TELL: " + EngineConnection.abbreviate(answer));
        }
        if (!matcher.group(2).equals("0")) {
            throw new SpamdException("spamd refused TELL (is it running with --allow-tell?): " + status.trim());
        }
        return answer.lines().anyMatch(line -> line.startsWith("DidSet:"));
    }

    /** True when spamd answers PING with PONG. */
    @Override
    public boolean ping() {
        try {
            String answer = exchange("PING SPAMC/1.5\r\n\r\n", new byte[0]);
            return answer.contains("PONG");
        } catch (SpamdException e) {
            return false;
        }
    }

    public String endpoint() {
        return connection.endpoint();
    }

    @Override
    public String describe() {
        return "spamd at " + endpoint();
    }

    /** spamd judges the message alone: the envelope is not sent (SPAMC has no place for it but a User). */
    @Override
    public SpamEngine.Result scan(byte[] message, Envelope envelope) throws SpamdException {
        Result result = check(message, null);
        return new SpamEngine.Result(result.score(), result.symbols(), false);
    }

    @Override
    public Learned learn(byte[] message, boolean spam, String user) throws SpamdException {
        return tell(message, spam, user) ? Learned.LEARNED : Learned.ALREADY_KNOWN;
    }

    private String exchange(String headers, byte[] body) throws SpamdException {
        try {
            return new String(connection.exchange(headers.getBytes(StandardCharsets.US_ASCII), body), StandardCharsets.UTF_8);
        } catch (SpamEngineException e) {
            throw new SpamdException(e.getMessage(), e.getCause(), e.isTimeout());
        }
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
            throw new SpamdException("unexpected answer from spamd: " + EngineConnection.abbreviate(answer));
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
        throw new SpamdException("no Spam: line in spamd's answer: " + EngineConnection.abbreviate(answer));
    }
}
