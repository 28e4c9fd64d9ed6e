package dev.gateway.routing;

/**
 * A routing table that cannot be used, with the line of the file where the problem is (0 when it concerns the whole
 * file, e.g. it cannot be read) and what is wrong, in words an administrator can act on.
 */
public class RoutingTableException extends Exception {

    private final int line;
    private final String problem;

    public RoutingTableException(int line, String problem) {
        super(line > 0 ? "line " + line + ": " + problem : problem);
        this.line = line;
        this.problem = problem;
    }

    public int line() {
        return line;
    }

    public String problem() {
        return problem;
    }
}
