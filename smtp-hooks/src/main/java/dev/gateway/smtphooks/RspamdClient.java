package dev.gateway.smtphooks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A small client for rspamd over its HTTP protocol: {@code POST /checkv2} on the normal worker to scan a message
 * (score, action, the symbols that hit), {@code POST /learnspam} and {@code /learnham} on the controller worker to
 * teach its Bayes classifier, {@code GET /ping} on the normal worker.
 *
 * <p>The envelope goes in rspamd's request headers ({@code IP}, {@code Helo}, {@code From}, one {@code Rcpt} per
 * recipient, {@code Queue-Id}, which rspamd's log shows as {@code qid}), so that rules on the client and the
 * envelope work as they do behind Postfix's milter. A controller password ({@code Password}) is sent only when one is
 * set: rspamd asks none from its {@code secure_ip} addresses, which {@code bin/rspamd} limits to 127.0.0.1.
 *
 * <p>One HTTP/1.0 request per connection (never half-closed: rspamd drops a scan whose client shut its side down),
 * answered and closed by rspamd, through {@link EngineConnection}: the same
 * connect timeout and whole-exchange deadline as spamd's client, and every answer that is not a complete result is a
 * {@link SpamEngineException}. Thread-safe: it holds no state.
 */
public final class RspamdClient implements SpamEngine {

    private static final int MAX_RESPONSE_BYTES = 256 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EngineConnection scanner;
    private final EngineConnection controller;
    private final String password;

    /**
     * @param port the normal worker's port (scans and ping), rspamd's default 11333
     * @param controllerPort the controller worker's port (learning), rspamd's default 11334
     * @param password the controller password, or empty when rspamd trusts our address ({@code secure_ip})
     */
    public RspamdClient(String host, int port, int controllerPort, String password, Duration connectTimeout, Duration readTimeout) {
        this.scanner = new EngineConnection("rspamd", host, port, connectTimeout, readTimeout, MAX_RESPONSE_BYTES, false);
        this.controller = new EngineConnection("rspamd controller", host, controllerPort, connectTimeout, readTimeout, MAX_RESPONSE_BYTES, false);
        this.password = password == null ? "" : password;
    }

    @Override
    public Result scan(byte[] message, Envelope envelope) throws SpamEngineException {
        StringBuilder headers = request("POST /checkv2", message.length);
        header(headers, "Queue-Id", envelope.queueId());
        header(headers, "IP", envelope.clientAddress());
        header(headers, "Helo", envelope.helo());
        header(headers, "From", envelope.sender());
        envelope.recipients().forEach(recipient -> header(headers, "Rcpt", recipient));
        return parseCheckAnswer(new String(scanner.exchange(headerBytes(headers), message), StandardCharsets.UTF_8));
    }

    /** {@code user} is not sent: rspamd keeps one classifier for every user here, as {@code bin/spamd} keeps one Bayes database. */
    @Override
    public Learned learn(byte[] message, boolean spam, String user) throws SpamEngineException {
        StringBuilder headers = request("POST /" + (spam ? "learnspam" : "learnham"), message.length);
        header(headers, "Password", password.isEmpty() ? null : password);
        return parseLearnAnswer(new String(controller.exchange(headerBytes(headers), message), StandardCharsets.UTF_8), spam);
    }

    @Override
    public boolean ping() {
        try {
            Response response = Response.parse(new String(scanner.exchange(headerBytes(request("GET /ping", -1)), new byte[0]), StandardCharsets.UTF_8));
            return response.status() == 200 && response.body().trim().equals("pong");
        } catch (SpamEngineException e) {
            return false;
        }
    }

    /** Names the controller too: learning goes there, and the learning listener's lines use this text. */
    @Override
    public String describe() {
        return "rspamd at " + scanner.endpoint() + " (controller " + controller.port() + ")";
    }

    private static StringBuilder request(String requestLine, int contentLength) {
        StringBuilder headers = new StringBuilder(requestLine).append(" HTTP/1.0\r\n");
        if (contentLength >= 0) {
            headers.append("Content-Length: ").append(contentLength).append("\r\n");
        }
        return headers;
    }

    /** Adds a header when there is a value; a line break in it (a HELO argument, say) never reaches rspamd. */
    private static void header(StringBuilder headers, String name, String value) {
        if (value != null && !value.isBlank()) {
            headers.append(name).append(": ").append(value.replaceAll("[\\r\\n]", "")).append("\r\n");
        }
    }

    private static byte[] headerBytes(StringBuilder headers) {
        return headers.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** An HTTP answer: its status and body (rspamd closes the connection after it, so the body is the rest). */
    record Response(int status, String body) {

        static Response parse(String answer) throws SpamEngineException {
            int headerEnd = answer.indexOf("\r\n\r\n");
            if (!answer.startsWith("HTTP/1.") || headerEnd < 0) {
                throw new SpamEngineException("unexpected answer from rspamd: " + EngineConnection.abbreviate(answer));
            }
            String[] statusLine = answer.substring(0, answer.indexOf("\r\n")).split(" ", 3);
            try {
                return new Response(Integer.parseInt(statusLine[1]), answer.substring(headerEnd + 4));
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                throw new SpamEngineException("unexpected status line from rspamd: " + EngineConnection.abbreviate(answer));
            }
        }
    }

    /**
     * Parses rspamd's answer to {@code /checkv2}:
     * <pre>
     * HTTP/1.1 200 OK
     * Content-Type: application/json
     *
     * {"is_skipped":true,"score":15.0,"required_score":15.0,"action":"reject","symbols":{"GTUBE":{...}},...}
     * </pre>
     * {@code is_skipped} with action {@code reject} is a pre-result: a rule (GTUBE, a forced action) decided before
     * the others ran, whatever the score.
     */
    static Result parseCheckAnswer(String answer) throws SpamEngineException {
        Response response = Response.parse(answer);
        JsonNode json = json(response);
        if (response.status() != 200 || json.has("error")) {
            throw new SpamEngineException("rspamd refused the scan: HTTP " + response.status() + " " + EngineConnection.abbreviate(response.body()));
        }
        JsonNode score = json.get("score");
        JsonNode action = json.get("action");
        if (score == null || !score.isNumber() || action == null || !action.isTextual()) {
            throw new SpamEngineException("no score or action in rspamd's answer: " + EngineConnection.abbreviate(response.body()));
        }
        List<String> symbols = new ArrayList<>();
        json.path("symbols").fieldNames().forEachRemaining(symbols::add);
        boolean forcedReject = json.path("is_skipped").asBoolean(false)
            && action.asText().toLowerCase(Locale.ROOT).equals("reject");
        return new Result(score.asDouble(), List.copyOf(symbols), forcedReject);
    }

    /**
     * Parses the controller's answer to {@code /learnspam} or {@code /learnham}: 200 {@code {"success":true}} when it
     * learned the message; 404 with "already learned as" when it knew it as such; 204 when rspamd skipped it (too few
     * words for the classifier, or the learn condition said no). Anything else is a failure.
     */
    static Learned parseLearnAnswer(String answer, boolean spam) throws SpamEngineException {
        Response response = Response.parse(answer);
        if (response.status() == 204) {
            return Learned.NOT_LEARNED;
        }
        JsonNode json = json(response);
        if (response.status() == 200 && json.path("success").asBoolean(false)) {
            return Learned.LEARNED;
        }
        if (json.path("error").asText("").contains("already learned as " + (spam ? "spam" : "ham"))) {
            return Learned.ALREADY_KNOWN;
        }
        throw new SpamEngineException("rspamd did not learn the message: HTTP " + response.status() + " " + EngineConnection.abbreviate(response.body()));
    }

    private static JsonNode json(Response response) throws SpamEngineException {
        JsonNode json;
        try {
            json = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new SpamEngineException("rspamd's answer is not JSON: HTTP " + response.status() + " " + EngineConnection.abbreviate(response.body()), e, false);
        }
        if (json == null || !json.isObject()) {
            throw new SpamEngineException("rspamd's answer is not a JSON object: HTTP " + response.status() + " " + EngineConnection.abbreviate(response.body()));
        }
        return json;
    }
}
