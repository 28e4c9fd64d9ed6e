package dev.gateway.smtphooks;

import java.util.stream.Collectors;

import org.apache.james.protocols.api.Response;

import com.google.common.base.Throwables;

/**
 * A failed command's answer and failure on one line for the log: each exception in its cause chain as {@code Type: message}, outermost first.
 * One WARN line per refused command says what failed; the stack trace goes to DEBUG, since during an outage every
 * connection would print the same one.
 */
final class FailureCause {

    private FailureCause() {
    }

    /** The reply's first line as sent, code included ("421 4.3.0 Service not available, ..."). */
    static String firstLine(Response answer) {
        return answer.getLines().isEmpty() ? answer.getRetCode() : answer.getLines().get(0).toString();
    }

    static String describe(Throwable failure) {
        return Throwables.getCausalChain(failure).stream()
            .map(cause -> cause.getClass().getSimpleName() + ": " + cause.getMessage())
            .map(line -> line.replaceAll("\\s+", " "))
            .collect(Collectors.joining(" <- "));
    }
}
