package dev.gateway.admin;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code bin/gateway routing explain --to RCPT [--to RCPT...] [--from SENDER] [--header 'Name: value'...] [--auth]
 * [--client IP] [--size BYTES] [--spam-score S] [--spf|--dkim|--dmarc RESULT] [--stage rcpt|data]}: asks {@code POST /routing/explain} which rule
 * fires for each recipient and prints the server's answer.
 */
final class RoutingExplainCommand {

    private static final Set<String> VALUED = Set.of("to", "from", "header", "client", "size", "spam-score", "stage",
        "spf", "dkim", "dmarc");

    private final WebAdmin webAdmin;
    private final PrintStream out;

    RoutingExplainCommand(WebAdmin webAdmin, PrintStream out) {
        this.webAdmin = webAdmin;
        this.out = out;
    }

    int run(List<String> arguments) {
        Arguments args = new Arguments(arguments, VALUED, Set.of("auth", "json"));
        if (args.values("to").isEmpty() || !args.words().isEmpty()) {
            throw new AdminException("usage: bin/gateway routing explain --to RCPT [--to RCPT...] [options]");
        }
        ObjectNode question = WebAdmin.JSON.createObjectNode();
        question.put("sender", args.value("from").orElse(""));
        ArrayNode recipients = question.putArray("recipients");
        args.values("to").forEach(recipients::add);
        Map<String, ArrayNode> headers = new LinkedHashMap<>();
        ObjectNode headerNode = question.putObject("headers");
        for (String header : args.values("header")) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                throw new AdminException("--header wants 'Name: value'");
            }
            headers.computeIfAbsent(header.substring(0, colon), headerNode::putArray).add(header.substring(colon + 1).stripLeading());
        }
        question.put("authenticated", args.flag("auth"));
        question.put("stage", args.value("stage").orElse("data"));
        args.value("client").ifPresent(client -> question.put("client-address", client));
        args.value("size").ifPresent(size -> question.put("size", number(size, "--size")));
        args.value("spam-score").ifPresent(score -> question.put("spam-score", Double.parseDouble(score)));
        for (String check : List.of("spf", "dkim", "dmarc")) {
            args.value(check).ifPresent(result -> question.put(check, result));
        }
        String format = args.flag("json") ? "" : "?format=text";
        String answer = webAdmin.sendJson("POST", "/routing/explain" + format, question);
        out.print(answer.endsWith("\n") || answer.isEmpty() ? answer : answer + "\n");
        return 0;
    }

    private static long number(String value, String option) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new AdminException(option + " wants a number, not '" + value + "'");
        }
    }
}
