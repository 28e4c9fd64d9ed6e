package dev.gateway.operations;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.webadmin.Routes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import spark.Request;
import spark.Response;
import spark.Service;

/**
 * WebAdmin routes behind {@code bin/gateway queue} (docs/operations.md#mail-queues). Filters are query parameters
 * ({@link MailFilter}); {@code held=true} turns a listing or a deletion to held mail.
 * <ul>
 *   <li>{@code GET /gateway/queue}: each queue's name, size and held mail;</li>
 *   <li>{@code GET /gateway/queue/mails}: the matching mails, oldest first;</li>
 *   <li>{@code GET /gateway/queue/mails/ID}: one mail, queued or held, with its attributes and headers;</li>
 *   <li>{@code DELETE /gateway/queue/mails}, {@code POST /gateway/queue/flush|hold|release|requeue}: act on the
 *       matching mails and answer how many. Deleting, holding and requeueing need a filter, or {@code all=true}.</li>
 * </ul>
 */
public class QueueRoutes implements Routes {

    static final String BASE = "/gateway/queue";

    private final QueueOperations operations;
    private final ObjectMapper json = new ObjectMapper();

    @Inject
    public QueueRoutes(QueueOperations operations) {
        this.operations = operations;
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        service.get(BASE, (request, response) -> reply(response, 200, overview()));
        service.get(BASE + "/mails", (request, response) -> handle(response, () -> {
            MailFilter filter = filter(request);
            Instant now = operations.now();
            List<QueuedMail> mails = held(request) ? operations.held(filter) : operations.queued(filter);
            return mails.stream().map(mail -> mail.summary(now)).toList();
        }));
        service.get(BASE + "/mails/:id", (request, response) -> handle(response, () -> operations.find(request.params("id"))
            .<Object>map(mail -> mail.details(operations.now()))
            .orElseThrow(() -> new NotFound("no queued or held mail with id '" + request.params("id") + "'"))));
        service.delete(BASE + "/mails", (request, response) -> handle(response, () -> {
            MailFilter filter = narrowed(request);
            return Map.of("deleted", held(request) ? operations.deleteHeld(filter) : operations.delete(filter));
        }));
        service.post(BASE + "/flush", (request, response) -> handle(response,
            () -> Map.of("flushed", operations.flush(filter(request)))));
        service.post(BASE + "/hold", (request, response) -> handle(response,
            () -> Map.of("held", operations.hold(narrowed(request)))));
        service.post(BASE + "/release", (request, response) -> handle(response,
            () -> Map.of("released", operations.release(filter(request)))));
        service.post(BASE + "/requeue", (request, response) -> handle(response,
            () -> Map.of("requeued", operations.requeue(narrowed(request)))));
    }

    private List<Map<String, Object>> overview() throws MessagingException {
        Map<String, Long> heldPerQueue = new LinkedHashMap<>();
        for (QueuedMail mail : operations.held(MailFilter.parse(name -> null, name -> null))) {
            heldPerQueue.merge(mail.queue(), 1L, Long::sum);
        }
        List<Map<String, Object>> overview = new java.util.ArrayList<>();
        for (String name : operations.queueNames()) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("name", name);
            line.put("size", operations.size(name));
            line.put("held", heldPerQueue.getOrDefault(name, 0L));
            overview.add(line);
        }
        return overview;
    }

    private static MailFilter filter(Request request) {
        return MailFilter.parse(request::queryParams, request::queryParamsValues);
    }

    /** An action on every mail of every queue is one typo away from an outage: it must be asked for by name. */
    private static MailFilter narrowed(Request request) {
        MailFilter filter = filter(request);
        if (filter.wholeQueue() && filter.queue().isEmpty() && !"true".equals(request.queryParams("all"))) {
            throw new IllegalArgumentException("give a filter (queue, sender, recipientDomain, olderThan, id) or all=true");
        }
        return filter;
    }

    private static boolean held(Request request) {
        return "true".equals(request.queryParams("held"));
    }

    private interface Action {
        Object run() throws Exception;
    }

    private String handle(Response response, Action action) throws JsonProcessingException {
        try {
            return reply(response, 200, action.run());
        } catch (IllegalArgumentException e) {
            return error(response, 400, "InvalidArgument", e.getMessage());
        } catch (QueueOperations.UnknownQueueException | NotFound e) {
            return error(response, 404, "notFound", e.getMessage());
        } catch (Exception e) {
            return error(response, 500, "ServerError", e.getMessage());
        }
    }

    private String error(Response response, int status, String type, String message) throws JsonProcessingException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("statusCode", status);
        body.put("type", type);
        body.put("message", message);
        return reply(response, status, body);
    }

    private String reply(Response response, int status, Object body) throws JsonProcessingException {
        response.status(status);
        response.type("application/json");
        return json.writeValueAsString(body);
    }

    private static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message);
        }
    }
}
