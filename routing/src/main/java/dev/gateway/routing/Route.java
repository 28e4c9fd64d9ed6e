package dev.gateway.routing;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.james.core.MailAddress;

/**
 * Where the table sends one recipient, and why.
 *
 * @param recipient the recipient
 * @param action the terminal action, or {@link Action.Kind#DEFAULT} when no terminal rule matched
 * @param decidedBy the rule whose terminal action applies, if any
 * @param matched every rule that matched, in order (non-terminal ones first, the deciding one last)
 * @param undecidedAt the rule that needs the message (headers, size, spam score) when evaluated before DATA;
 *                    then {@code action} is {@link Action.Kind#DEFAULT} and means "not known yet"
 * @param trace one line per rule looked at, for the explain tool
 */
public record Route(MailAddress recipient, Action action, Optional<Rule> decidedBy, List<Rule> matched,
                    Optional<Rule> undecidedAt, List<String> trace) {

    public Route {
        matched = List.copyOf(matched);
        trace = List.copyOf(trace);
    }

    /** The headers to add for this recipient, from every matching rule in order (a later value wins). */
    public Map<String, String> addHeaders() {
        Map<String, String> headers = new LinkedHashMap<>();
        matched.forEach(rule -> headers.putAll(rule.addHeaders()));
        return headers;
    }

    /** The header names to remove for this recipient, from every matching rule. */
    public Set<String> removeHeaders() {
        Set<String> names = new LinkedHashSet<>();
        matched.forEach(rule -> names.addAll(rule.removeHeaders()));
        return names;
    }

    /** The addresses the matching {@code copy} rules send copies to. */
    public List<MailAddress> copies() {
        return matched.stream()
            .filter(rule -> rule.action().kind() == Action.Kind.COPY)
            .flatMap(rule -> rule.action().address().stream())
            .toList();
    }

    public boolean decided() {
        return undecidedAt.isEmpty();
    }
}
