package dev.gateway.admin;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The server's WebAdmin over HTTP: JSON in and out, a non-2xx answer becomes an {@link AdminException}. */
final class WebAdmin {

    static final ObjectMapper JSON = new ObjectMapper();
    // Under this client's own 10-minute limit on a request.
    private static final String AWAIT_STEP = "5m";
    private static final int REQUEST_TIMEOUT = 408;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    WebAdmin(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    JsonNode get(String path) {
        return jsonOrEmpty(send("GET", path, null, null));
    }

    JsonNode post(String path) {
        return jsonOrEmpty(send("POST", path, null, null));
    }

    JsonNode delete(String path) {
        return jsonOrEmpty(send("DELETE", path, null, null));
    }

    JsonNode patch(String path) {
        return jsonOrEmpty(send("PATCH", path, null, null));
    }

    /**
     * Waits for a task to end and answers its final state. A long task outlasts one request: the wait goes in steps,
     * {@code stillRunning} told after each step that ends with the task still running.
     */
    JsonNode awaitTask(String taskId, Runnable stillRunning) {
        while (true) {
            try {
                return get("/tasks/" + taskId + "/await?timeout=" + AWAIT_STEP);
            } catch (AdminException e) {
                if (e.httpStatus() != REQUEST_TIMEOUT) {
                    throw e;
                }
                stillRunning.run();
            }
        }
    }

    /** Sends a JSON body; answers the reply's text (some routes answer plain text). */
    String sendJson(String method, String path, Object body) {
        try {
            return send(method, path, JSON.writeValueAsString(body), "application/json").body();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> send(String method, String path, String body, String contentType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(10))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AdminException("WebAdmin unreachable at " + base + " (" + e + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminException("interrupted");
        }
        if (response.statusCode() / 100 != 2) {
            throw new AdminException("WebAdmin " + method + " " + path + " answered HTTP " + response.statusCode()
                + message(response.body()), response.statusCode());
        }
        return response;
    }

    private static String message(String body) {
        try {
            JsonNode error = JSON.readTree(body);
            if (error != null && error.hasNonNull("message")) {
                return ": " + error.get("message").asText();
            }
        } catch (IOException e) {
            // not JSON: show it as it is
        }
        return body == null || body.isBlank() ? "" : ": " + body.strip();
    }

    private static JsonNode jsonOrEmpty(HttpResponse<String> response) {
        return parse(response.body());
    }

    /** A reply's JSON; an empty object for an empty reply. */
    static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new AdminException("WebAdmin answered something that is not JSON: " + body);
        }
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** {@code ?a=1&b=2}, values encoded, repeated keys allowed; empty when there is nothing. */
    static String query(List<Map.Entry<String, String>> parameters) {
        if (parameters.isEmpty()) {
            return "";
        }
        return parameters.stream().map(entry -> encode(entry.getKey()) + "=" + encode(entry.getValue()))
            .collect(Collectors.joining("&", "?", ""));
    }
}
