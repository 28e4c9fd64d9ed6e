package dev.gateway.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The spam filter's verdict counters, {@code gateway_spam_verdict_<verdict>_total}, as WebAdmin's {@code /metrics}
 * exports them. Read before and after one message sent alone, their difference is the verdict the filter gave it:
 * the documented interface, where the headers of a delivered copy or the log would be a guess at it.
 */
final class SpamVerdictCounters {

    private static final String PREFIX = "gateway_spam_verdict_";
    private static final String SUFFIX = "_total";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI metrics;

    SpamVerdictCounters(String webadmin) {
        this.metrics = URI.create(webadmin + "/metrics");
    }

    Map<String, Double> read() throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(metrics + " answered " + response.statusCode());
        }
        Map<String, Double> counts = new HashMap<>();
        response.body().lines()
            .filter(line -> line.startsWith(PREFIX))
            .forEach(line -> {
                String[] parts = line.split("\\s+");
                String name = parts[0];
                if (name.endsWith(SUFFIX) && parts.length >= 2) {
                    counts.put(name.substring(PREFIX.length(), name.length() - SUFFIX.length()), Double.parseDouble(parts[1]));
                }
            });
        return counts;
    }

    /** The verdict whose counter rose between two readings, or null when none did (the message was not judged). */
    static String risen(Map<String, Double> before, Map<String, Double> after) {
        return after.entrySet().stream()
            .filter(entry -> entry.getValue() > before.getOrDefault(entry.getKey(), 0.0))
            .map(Map.Entry::getKey)
            .findFirst()
            .orElse(null);
    }
}
