package dev.gateway.admin;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code bin/gateway spam thresholds [export | import FILE]}: the per-recipient spam thresholds a cluster shares
 * (docs/smtp-hooks/spam-filter.md), through WebAdmin's {@code /spam/thresholds} routes, which only the cluster
 * profile installs.
 * <ul>
 *   <li>no word: the version in force on this node and how many domain and address overrides it sets;</li>
 *   <li>{@code export}: the document in force, in {@code spam-thresholds.xml}'s format, on standard output;</li>
 *   <li>{@code import FILE}: FILE validated as the server validates the file at start-up, then stored as the next
 *       version, in force on this node at once and on the others within their poll; a refusal names the bad entry
 *       and the version in force stays.</li>
 * </ul>
 */
final class SpamThresholdsCommand {

    private static final String USAGE = "usage: bin/gateway spam thresholds [export | import FILE]";
    private static final String ROUTE = "/spam/thresholds";

    private final WebAdmin webAdmin;
    private final PrintStream out;

    SpamThresholdsCommand(WebAdmin webAdmin, PrintStream out) {
        this.webAdmin = webAdmin;
        this.out = out;
    }

    int run(List<String> arguments) {
        List<String> words = new Arguments(arguments, Set.of(), Set.of()).words();
        if (words.isEmpty() || !words.get(0).equals("thresholds")) {
            throw new AdminException(USAGE);
        }
        List<String> rest = words.subList(1, words.size());
        if (rest.isEmpty()) {
            out.println(describe("in force on this node", webAdmin.get(ROUTE)));
        } else if (rest.equals(List.of("export"))) {
            out.print(webAdmin.send("GET", ROUTE + "/xml", null, null).body());
        } else if (rest.size() == 2 && rest.get(0).equals("import")) {
            String document = read(Path.of(rest.get(1)));
            JsonNode stored = WebAdmin.parse(webAdmin.send("PUT", ROUTE, document, "application/xml").body());
            out.println(describe("stored and in force on this node; the other nodes take it within their poll", stored));
        } else {
            throw new AdminException(USAGE);
        }
        return 0;
    }

    private static String describe(String where, JsonNode thresholds) {
        return "gateway: spam thresholds version %d %s: %d domain and %d address override(s)".formatted(
            thresholds.path("version").asLong(), where, thresholds.path("domains").asInt(), thresholds.path("users").asInt());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AdminException("cannot read " + file + " (" + e.getMessage() + ")");
        }
    }
}
