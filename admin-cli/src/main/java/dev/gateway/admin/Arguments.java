package dev.gateway.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A command's arguments: {@code --name value} options (repeatable), {@code --flag} switches and the remaining words,
 * checked against what the command accepts so that a misspelt option is refused rather than ignored.
 */
final class Arguments {

    private final Map<String, List<String>> options = new LinkedHashMap<>();
    private final List<String> words = new ArrayList<>();

    Arguments(List<String> arguments, Set<String> valued, Set<String> flags) {
        for (int i = 0; i < arguments.size(); i++) {
            String argument = arguments.get(i);
            if (argument.startsWith("--")) {
                String name = argument.substring(2);
                if (valued.contains(name)) {
                    if (i + 1 >= arguments.size()) {
                        throw new AdminException("--" + name + " needs a value");
                    }
                    options.computeIfAbsent(name, key -> new ArrayList<>()).add(arguments.get(++i));
                } else if (flags.contains(name)) {
                    options.computeIfAbsent(name, key -> new ArrayList<>()).add("true");
                } else {
                    throw new AdminException("unknown option " + argument);
                }
            } else {
                words.add(argument);
            }
        }
    }

    Optional<String> value(String name) {
        List<String> values = options.get(name);
        return values == null ? Optional.empty() : Optional.of(values.get(values.size() - 1));
    }

    List<String> values(String name) {
        return options.getOrDefault(name, List.of());
    }

    boolean flag(String name) {
        return options.containsKey(name);
    }

    List<String> words() {
        return words;
    }
}
