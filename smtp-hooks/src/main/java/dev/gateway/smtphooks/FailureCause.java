package dev.gateway.smtphooks;

import java.util.stream.Collectors;

import com.google.common.base.Throwables;

/**
 * A failure on one line for the log: each exception in its cause chain as {@code Type: message}, outermost first.
 * One WARN line per refused command says what failed; the stack trace goes to DEBUG, since during an outage every
 * connection would print the same one.
 */
final class FailureCause {

    private FailureCause() {
    }

    static String describe(Throwable failure) {
        return Throwables.getCausalChain(failure).stream()
            .map(cause -> cause.getClass().getSimpleName() + ": " + cause.getMessage())
            .map(line -> line.replaceAll("\\s+", " "))
            .collect(Collectors.joining(" <- "));
    }
}
