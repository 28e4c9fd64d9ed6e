package dev.gateway.authentication.spf;

import java.util.Optional;

/**
 * A {@code check_host()} result; for {@code fail}, the domain's explanation (RFC 7208 section 6.2) when it has one;
 * for {@code permerror} and {@code temperror}, what went wrong, for the log.
 */
public record SpfOutcome(SpfResult result, Optional<String> explanation, Optional<String> problem) {

    public static SpfOutcome of(SpfResult result) {
        return new SpfOutcome(result, Optional.empty(), Optional.empty());
    }

    static SpfOutcome fail(Optional<String> explanation) {
        return new SpfOutcome(SpfResult.FAIL, explanation, Optional.empty());
    }

    static SpfOutcome of(SpfAbort abort) {
        return new SpfOutcome(abort.result(), Optional.empty(), Optional.ofNullable(abort.getMessage()));
    }
}
