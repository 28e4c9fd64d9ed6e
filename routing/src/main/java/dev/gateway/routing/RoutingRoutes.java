package dev.gateway.routing;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import spark.Request;
import spark.Response;
import spark.Service;

/**
 * WebAdmin routes of the routing table (docs/routing.md):
 * <ul>
 *   <li>{@code GET /routing}: the table in force and its version (smarthost passwords never shown);</li>
 *   <li>{@code GET /routing/yaml}: the YAML of the table in force, to export it (smarthost secrets are
 *       {@code password-env}/{@code password-file} references there, never values);</li>
 *   <li>{@code POST /routing/reload}: reads the file again; {@code 400} with {@code line} and {@code problem} if it
 *       is invalid, and the old table stays in force;</li>
 *   <li>{@code PUT /routing} (YAML body): validates, writes the file and puts it in force, or {@code 400};</li>
 *   <li>{@code POST /routing/check} (YAML body): validates only;</li>
 *   <li>{@code POST /routing/explain} (JSON body, see {@link ExplainRequest}): each recipient's route and why.</li>
 * </ul>
 */
public class RoutingRoutes implements Routes {

    static final String BASE = "/routing";

    private final RoutingTableStore tables;
    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @Inject
    public RoutingRoutes(RoutingTableStore tables) {
        this.tables = tables;
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        service.get(BASE, (request, response) -> reply(response, 200, describe(tables.inForce())));
        service.get(BASE + "/yaml", (request, response) -> {
            response.type("application/yaml; charset=utf-8");
            return tables.inForce().yaml();
        });
        service.post(BASE + "/reload", (request, response) -> {
            try {
                return reply(response, 200, describe(tables.reload(), tables.inForce().version()));
            } catch (RoutingTableException e) {
                return refused(response, e);
            }
        });
        service.put(BASE, (request, response) -> {
            try {
                return reply(response, 200, describe(tables.replace(request.body()), tables.inForce().version()));
            } catch (RoutingTableException e) {
                return refused(response, e);
            }
        });
        service.post(BASE + "/check", (request, response) -> {
            try {
                return reply(response, 200, describe(tables.validate(request.body()), null));
            } catch (RoutingTableException e) {
                return refused(response, e);
            }
        });
        service.post(BASE + "/explain", this::explain);
    }

    private Object explain(Request request, Response response) throws IOException {
        ExplainRequest question;
        try {
            question = json.readValue(request.body(), ExplainRequest.class);
        } catch (JsonProcessingException e) {
            return error(response, "the body is not an explain request: " + e.getOriginalMessage());
        }
        try {
            List<ExplainRequest.Answer> answers = question.explain(tables.current());
            if ("text".equals(request.queryParams("format"))) {
                response.type("text/plain; charset=utf-8");
                return answers.stream().map(RoutingRoutes::text).collect(Collectors.joining());
            }
            return reply(response, 200, answers);
        } catch (IllegalArgumentException e) {
            return error(response, e.getMessage());
        }
    }

    /** What {@code bin/gateway routing explain} prints for one recipient. */
    private static String text(ExplainRequest.Answer answer) {
        StringBuilder text = new StringBuilder(answer.recipient()).append(": ").append(answer.action());
        if (answer.rule() != null) {
            text.append(" (rule '").append(answer.rule()).append("', line ").append(answer.line()).append(')');
        }
        text.append('\n');
        answer.trace().forEach(line -> text.append("  ").append(line).append('\n'));
        answer.addHeaders().forEach((name, value) -> text.append("  adds header ").append(name).append(": ").append(value).append('\n'));
        answer.removeHeaders().forEach(name -> text.append("  removes header ").append(name).append('\n'));
        answer.copies().forEach(copy -> text.append("  copy to ").append(copy).append('\n'));
        return text.toString();
    }

    private String refused(Response response, RoutingTableException e) throws JsonProcessingException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("statusCode", 400);
        body.put("type", "InvalidArgument");
        body.put("message", "Routing table refused, the previous table stays in force: " + e.getMessage());
        body.put("line", e.line());
        body.put("problem", e.problem());
        return reply(response, 400, body);
    }

    private String error(Response response, String message) throws JsonProcessingException {
        return reply(response, 400, Map.of("statusCode", 400, "type", "InvalidArgument", "message", message));
    }

    private String reply(Response response, int status, Object body) throws JsonProcessingException {
        response.status(status);
        response.type("application/json");
        return json.writeValueAsString(body);
    }

    private Map<String, Object> describe(RoutingTableStore.InForce inForce) {
        return describe(inForce.table(), inForce.version());
    }

    /** The table; {@code version} is null for a table only checked, not put in force. */
    private Map<String, Object> describe(RoutingTable table, Long version) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (version != null) {
            body.put("version", version);
        }
        body.put("shared", tables.isShared());
        body.put("file", tables.file().toString());
        body.put("smarthosts", table.smarthosts().values().stream().map(RoutingRoutes::describe).toList());
        body.put("rules", table.rules().stream().map(RoutingRoutes::describe).toList());
        return body;
    }

    private static Map<String, Object> describe(Smarthost smarthost) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", smarthost.name());
        body.put("host", smarthost.host());
        body.put("port", smarthost.port());
        body.put("tls", smarthost.tls().written());
        body.put("verifyCertificate", smarthost.verifyCertificate());
        body.put("username", smarthost.credentials().map(Smarthost.Credentials::username).orElse(null));
        body.put("retryDelays", smarthost.retryDelays());
        body.put("maxRetries", smarthost.maxRetries());
        return body;
    }

    private static Map<String, Object> describe(Rule rule) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", rule.name());
        body.put("line", rule.line());
        body.put("when", rule.conditions().stream().map(Condition::description).toList());
        body.put("action", rule.action().toString());
        body.put("addHeaders", rule.addHeaders());
        body.put("removeHeaders", rule.removeHeaders());
        body.put("continue", rule.continues());
        return body;
    }
}
