package dev.gateway.routing;

import java.util.List;
import java.util.Map;

/**
 * One entry of the table: conditions that must all hold (none: every recipient), an action, header changes, and
 * whether evaluation goes on to the next rule after it.
 *
 * @param name the rule's name, for logs and the explain tool
 * @param line where the rule starts in the table
 * @param conditions all must match
 * @param action what happens to a matching recipient
 * @param addHeaders headers added to the message for a matching recipient
 * @param removeHeaders header names removed from the message for a matching recipient
 * @param continues whether the next rules are still evaluated after this one matched (only for non-terminal actions)
 */
public record Rule(String name, int line, List<Condition> conditions, Action action, Map<String, String> addHeaders,
                   List<String> removeHeaders, boolean continues) {

    public Rule {
        conditions = List.copyOf(conditions);
        addHeaders = Map.copyOf(addHeaders);
        removeHeaders = List.copyOf(removeHeaders);
    }

    @Override
    public String toString() {
        return "rule '" + name + "' (line " + line + ")";
    }
}
