package dev.gateway.authentication.spf;

import java.util.Optional;

/** A {@code check_host()} result and, for {@code fail}, the domain's explanation (RFC 7208 section 6.2) when it has one. */
public record SpfOutcome(SpfResult result, Optional<String> explanation) {

    public static SpfOutcome of(SpfResult result) {
        return new SpfOutcome(result, Optional.empty());
    }
}
