package dev.gateway.smtphooks;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.commons.configuration2.Configuration;
import org.apache.james.core.Domain;

/** Reads the list settings of the hooks: words separated by spaces and/or commas, e.g. {@code a.example, b.example}. */
final class SettingLists {

    static List<String> words(Configuration configuration, String key, String defaultValue) {
        return Arrays.stream(configuration.getString(key, defaultValue).split("[\\s,]+"))
            .filter(word -> !word.isBlank())
            .toList();
    }

    /** Domains compare in lower case, as James's {@link Domain} does. */
    static Set<Domain> domains(Configuration configuration, String key) {
        return words(configuration, key, "").stream()
            .map(domain -> Domain.of(domain.toLowerCase(Locale.ROOT)))
            .collect(Collectors.toUnmodifiableSet());
    }

    private SettingLists() {
    }
}
