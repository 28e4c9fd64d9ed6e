package dev.gateway.operations;

import java.util.LinkedHashMap;
import java.util.Map;

import javax.inject.Inject;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.webadmin.Routes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.gateway.smtphooks.SharedSpamThresholds;
import spark.Response;
import spark.Service;

/**
 * WebAdmin routes of a cluster's per-recipient spam thresholds (docs/smtp-hooks/spam-filter.md), installed on the
 * cluster profile only:
 * <ul>
 *   <li>{@code GET /spam/thresholds}: the version in force on this node and how many overrides it sets;</li>
 *   <li>{@code GET /spam/thresholds/xml}: the document in force, in {@code spam-thresholds.xml}'s format (to export
 *       it, or to edit and put back);</li>
 *   <li>{@code PUT /spam/thresholds} (the XML as body): validated exactly as the file is at start-up, then stored as
 *       the next version and in force on this node at once, on every other node within its poll (2 s); {@code 400}
 *       naming the bad entry otherwise, and the version in force stays.</li>
 * </ul>
 * Both GETs answer {@code 404} while no spam filter has read thresholds on this node.
 */
public class SpamThresholdsRoutes implements Routes {

    static final String BASE = "/spam/thresholds";

    private final SharedSpamThresholds thresholds;
    private final ObjectMapper json = new ObjectMapper();

    @Inject
    public SpamThresholdsRoutes(SharedSpamThresholds thresholds) {
        this.thresholds = thresholds;
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        service.get(BASE, (request, response) -> thresholds.inForce()
            .map(inForce -> reply(response, 200, describe(inForce)))
            .orElseGet(() -> notFound(response)));
        service.get(BASE + "/xml", (request, response) -> thresholds.inForce()
            .map(inForce -> {
                response.type("application/xml; charset=utf-8");
                return inForce.xml();
            })
            .orElseGet(() -> notFound(response)));
        service.put(BASE, (request, response) -> {
            try {
                return reply(response, 200, describe(thresholds.replace(request.body())));
            } catch (ConfigurationException e) {
                return reply(response, 400, Map.of("statusCode", 400, "type", "InvalidArgument",
                    "message", "Spam thresholds refused, the version in force stays: " + e.getMessage()));
            }
        });
    }

    private static Map<String, Object> describe(SharedSpamThresholds.InForce inForce) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("shared", true);
        body.put("version", inForce.version());
        body.put("domains", inForce.domains());
        body.put("users", inForce.users());
        return body;
    }

    private String notFound(Response response) {
        return reply(response, 404, Map.of("statusCode", 404, "type", "NotFound",
            "message", "no spam filter on this node reads per-recipient thresholds"));
    }

    private String reply(Response response, int status, Object body) {
        response.status(status);
        response.type("application/json");
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
