package dev.gateway.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.apache.james.core.MailAddress;

/**
 * A validated routing table: named smarthosts and ordered rules. Immutable; a reload builds a new one.
 *
 * <p>{@link #route} is the one evaluation used by the SMTP hook (RCPT and end of DATA), the mailet that dispatches
 * accepted mail, and the explain tool. Rules are tried in order for each recipient; the first matching rule with a
 * terminal action decides, a matching rule that continues (copy, header changes) adds its effect and evaluation
 * goes on. No terminal match: the default route (a local mailbox, or MX delivery for a relaying client).
 */
public record RoutingTable(Map<String, Smarthost> smarthosts, List<Rule> rules) {

    public static final RoutingTable EMPTY = new RoutingTable(Map.of(), List.of());

    public RoutingTable {
        smarthosts = Map.copyOf(smarthosts);
        rules = List.copyOf(rules);
    }

    public Route route(MailAddress recipient, MessageFacts facts) {
        List<Rule> matched = new ArrayList<>();
        List<String> trace = new ArrayList<>();
        for (Rule rule : rules) {
            List<Condition> unknown = new ArrayList<>();
            Optional<Condition> failed = Optional.empty();
            for (Condition condition : rule.conditions()) {
                Condition.Verdict verdict = condition.test(recipient, facts);
                if (verdict == Condition.Verdict.NO_MATCH) {
                    failed = Optional.of(condition);
                    break;
                }
                if (verdict == Condition.Verdict.UNKNOWN) {
                    unknown.add(condition);
                }
            }
            if (failed.isPresent()) {
                trace.add(rule + ": no match, " + failed.get().description() + " does not hold");
                continue;
            }
            if (!unknown.isEmpty()) {
                trace.add(rule + ": cannot be decided yet, needs " + describe(unknown));
                return new Route(recipient, Action.DEFAULT, Optional.empty(), matched, Optional.of(rule), trace);
            }
            matched.add(rule);
            trace.add(rule + ": matches" + (rule.conditions().isEmpty() ? " (no conditions)" : ", " + describe(rule.conditions()))
                + " -> " + rule.action() + (rule.continues() ? ", continue" : ""));
            if (!rule.continues()) {
                Action action = rule.action().kind().terminal() ? rule.action() : Action.DEFAULT;
                Optional<Rule> decidedBy = rule.action().kind().terminal() ? Optional.of(rule) : Optional.empty();
                return new Route(recipient, action, decidedBy, matched, Optional.empty(), trace);
            }
        }
        trace.add("no terminal rule: default route (local mailbox, or MX delivery when relaying is allowed)");
        return new Route(recipient, Action.DEFAULT, Optional.empty(), matched, Optional.empty(), trace);
    }

    private static String describe(List<Condition> conditions) {
        return conditions.stream().map(Condition::description).collect(Collectors.joining(" and "));
    }
}
