package dev.gateway.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads the server's state through WebAdmin: what is queued, what sits in mail repositories, what reached a
 * mailbox. Tests of a policy use it to prove that a refused message went nowhere.
 */
public final class WebAdminClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;

    public WebAdminClient(GatewayProcess gateway) {
        this.base = "http://127.0.0.1:" + gateway.port(GatewayProcess.Port.WEBADMIN);
    }

    /** Mails waiting in a queue: "spool" (accepted, not yet processed) or "outgoing" (remote delivery). */
    public long queueSize(String queue) throws IOException, InterruptedException {
        return get("/mailQueues/" + queue).get("size").asLong();
    }

    /** Mails in a repository such as "var/mail/error" or "var/mail/relay-denied". */
    public long repositorySize(String repository) throws IOException, InterruptedException {
        return get("/mailRepositories/" + URLEncoder.encode(repository, StandardCharsets.UTF_8)).get("size").asLong();
    }

    /** Every mail repository's size added up. */
    public long allRepositoriesSize() throws IOException, InterruptedException {
        long total = 0;
        for (JsonNode repository : get("/mailRepositories")) {
            total += repositorySize(repository.get("repository").asText());
        }
        return total;
    }

    /** Messages in the user's INBOX; 0 before the first delivery, which is what creates the INBOX. */
    public long inboxCount(String user) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
            HttpRequest.newBuilder(URI.create(base + "/users/" + user + "/mailboxes/INBOX/messageCount")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 404 && response.body().contains("can not be found")) {
            return 0;
        }
        if (response.statusCode() / 100 != 2) {
            throw new IOException("INBOX count of " + user + " answered " + response.statusCode() + ": " + response.body());
        }
        return Long.parseLong(response.body().trim());
    }

    /** Messages in a user's INBOX, 0 when nothing was ever delivered to the user (James creates INBOX on first delivery). */
    public long deliveredCount(String user) throws IOException, InterruptedException {
        for (JsonNode mailbox : get("/users/" + user + "/mailboxes")) {
            if (mailbox.get("mailboxName").asText().equals("INBOX")) {
                return inboxCount(user);
            }
        }
        return 0;
    }

    /**
     * True when nothing accepted is left anywhere but in mailboxes: both queues and every repository empty.
     * Together with mailbox counts this shows where every message went.
     */
    public boolean nothingQueuedOrParked() throws IOException, InterruptedException {
        return queueSize("spool") == 0 && queueSize("outgoing") == 0 && allRepositoriesSize() == 0;
    }

    /** The keys of the mails in a repository such as "var/mail/quarantine". */
    public java.util.List<String> repositoryKeys(String repository) throws IOException, InterruptedException {
        java.util.List<String> keys = new java.util.ArrayList<>();
        get("/mailRepositories/" + encode(repository) + "/mails").forEach(key -> keys.add(key.asText()));
        return keys;
    }

    /** One mail of a repository as the raw message WebAdmin serves (Accept: message/rfc822). */
    public String repositoryMessage(String repository, String key) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create(base + "/mailRepositories/" + encode(repository) + "/mails/" + encode(key)))
            .header("Accept", "message/rfc822").GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET mail " + key + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** One mail of a repository as WebAdmin describes it: name, sender, recipients, state... */
    public JsonNode repositoryMail(String repository, String key) throws IOException, InterruptedException {
        return get("/mailRepositories/" + encode(repository) + "/mails/" + encode(key));
    }

    /**
     * Reprocesses every mail of a repository into a processor (WebAdmin's
     * {@code PATCH /mailRepositories/{path}/mails?action=reprocess&processor=...}) and waits for the task to end.
     * Returns the task's final status ("completed" when it worked).
     */
    public String reprocessAll(String repository, String processor) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create(base + "/mailRepositories/" + encode(repository) + "/mails?action=reprocess&processor=" + processor))
            .method("PATCH", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IOException("reprocess answered " + response.statusCode() + ": " + response.body());
        }
        String taskId = JSON.readTree(response.body()).get("taskId").asText();
        return get("/tasks/" + taskId + "/await").get("status").asText();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** A PUT without a body, such as creating an alias: {@code /address/aliases/{user}/sources/{alias}}. */
    public void put(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
            HttpRequest.newBuilder(URI.create(base + path)).PUT(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("PUT " + path + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    /** A PUT with a JSON body, such as creating a user: {@code /users/{user}} with {@code {"password":"..."}}. */
    public void putJson(String path, String json) throws IOException, InterruptedException {
        put(path, "application/json", json);
    }

    /** A PUT with a body of the given type, such as a routing table: {@code /routing} with YAML. */
    public void put(String path, String contentType, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", contentType).PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("PUT " + path + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    /**
     * Waits (up to 30 s) for mail accepted earlier to finish its way through the spool, then holds that nothing is
     * queued or parked. A message wrongly accepted and parked, or stuck, makes it fail.
     */
    public void awaitNothingQueuedOrParked() {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
            .pollInterval(java.time.Duration.ofMillis(200))
            .until(this::nothingQueuedOrParked);
    }

    /** A plain DELETE, such as removing a user: {@code /users/{user}}. */
    public void delete(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path)).DELETE().build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("DELETE " + path + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    /** A DELETE that starts a WebAdmin task (e.g. deleting queued mail); waits for the task and returns its status. */
    public String deleteAndAwait(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path)).DELETE().build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IOException("DELETE " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        String taskId = JSON.readTree(response.body()).get("taskId").asText();
        return get("/tasks/" + taskId + "/await").get("status").asText();
    }

    /** A PATCH with a JSON body; returns the status code. */
    public int patch(String path, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** A POST with a body; the response whatever its status, for tests of refusals. */
    public HttpResponse<String> post(String path, String contentType, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    public JsonNode get(String path) throws IOException, InterruptedException {
        return JSON.readTree(getText(path));
    }

    /** A GET whose answer is not JSON, such as an export: the body as it came. */
    public String getText(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }
}
