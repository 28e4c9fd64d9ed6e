package dev.gateway.routing;

import java.util.Locale;
import java.util.Set;

import org.apache.mailet.AttributeName;

import dev.gateway.api.AuthenticationAttributes;

/**
 * The sender authentication checks a rule may test, with the results each can have (RFC 8601 section 2.7) and
 * the mail attribute the authentication hook (CheckSenderAuthentication, docs/authentication.md) records it in,
 * named in {@link AuthenticationAttributes} so that routing shares the names without depending on the checks.
 */
public enum AuthenticationMethod {
    SPF(AuthenticationAttributes.SPF, Set.of("pass", "fail", "softfail", "neutral", "none", "temperror", "permerror")),
    DKIM(AuthenticationAttributes.DKIM, Set.of("pass", "fail", "policy", "neutral", "none", "temperror", "permerror")),
    DMARC(AuthenticationAttributes.DMARC, Set.of("pass", "fail", "none", "temperror", "permerror"));

    private final AttributeName attribute;
    private final Set<String> results;

    AuthenticationMethod(String attribute, Set<String> results) {
        this.attribute = AttributeName.of(attribute);
        this.results = results;
    }

    AttributeName attribute() {
        return attribute;
    }

    /** The key of this method in the table and in explain requests: {@code spf}, {@code dkim}, {@code dmarc}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A result as written, checked against the ones this method can have. */
    String result(String written) {
        String result = written == null ? "" : written.trim().toLowerCase(Locale.ROOT);
        if (!results.contains(result)) {
            throw new IllegalArgumentException(key() + ": '" + written + "' is not a result (one of "
                + results.stream().sorted().toList() + ")");
        }
        return result;
    }
}
