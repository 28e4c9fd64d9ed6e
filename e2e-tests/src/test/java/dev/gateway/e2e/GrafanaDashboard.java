package dev.gateway.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The PromQL queries of docs/grafana-dashboard.json and the metric names they read, so that tests can check each name
 * against what a running gateway exports: a dashboard that queries a name nobody exports shows "No data" and nothing
 * else says so.
 */
final class GrafanaDashboard {

    private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern LABEL_MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![a-zA-Z0-9_:.$])[a-zA-Z_:][a-zA-Z0-9_:]*+(?!\\s*\\()");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset");

    private GrafanaDashboard() {
    }

    static Path file() {
        return Path.of(System.getProperty("gateway.source", "..")).toAbsolutePath().normalize()
            .resolve("docs").resolve("grafana-dashboard.json");
    }

    /** Every {@code expr} of every panel, rows' panels included. */
    static List<String> queries() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(file()));
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            collect(panel, queries);
            for (JsonNode inner : panel.path("panels")) {
                collect(inner, queries);
            }
        }
        return queries;
    }

    private static void collect(JsonNode panel, List<String> queries) {
        for (JsonNode target : panel.path("targets")) {
            queries.add(target.path("expr").asText());
        }
    }

    /** The metric names one query reads: what is left once strings, matchers, ranges, groupings and calls are gone. */
    static Set<String> metricNames(String query) {
        String bare = STRINGS.matcher(query).replaceAll("\"\"");
        bare = LABEL_MATCHERS.matcher(bare).replaceAll(" ");
        bare = RANGES.matcher(bare).replaceAll(" ");
        bare = GROUPING.matcher(bare).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher identifier = IDENTIFIER.matcher(bare);
        while (identifier.find()) {
            if (!KEYWORDS.contains(identifier.group())) {
                names.add(identifier.group());
            }
        }
        return names;
    }

    /** The names every query of the dashboard reads; fails on a query where none is found (the parser missed it). */
    static Set<String> metricNames() throws IOException {
        Set<String> names = new TreeSet<>();
        for (String query : queries()) {
            Set<String> found = metricNames(query);
            if (found.isEmpty()) {
                throw new IllegalStateException("no metric name found in the dashboard query " + query);
            }
            names.addAll(found);
        }
        return names;
    }
}
