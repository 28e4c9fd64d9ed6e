package dev.gateway.admin;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * The operators' commands of {@code bin/gateway} that talk to WebAdmin (docs/operations.md). The launcher only finds
 * the classpath and WebAdmin's address: {@code java dev.gateway.admin.AdminCli --webadmin URL COMMAND ARGS...}.
 * Exit status 0 on success, 1 when the server refused or could not be reached, 2 on a usage error.
 */
public final class AdminCli {

    private final WebAdmin webAdmin;
    private final PrintStream out;

    AdminCli(String webAdminUrl, PrintStream out) {
        this.webAdmin = new WebAdmin(webAdminUrl);
        this.out = out;
    }

    public static void main(String[] argv) {
        List<String> arguments = Arrays.asList(argv);
        if (arguments.size() < 3 || !arguments.get(0).equals("--webadmin")) {
            System.err.println("usage: AdminCli --webadmin URL queue|quarantine|add-user|routing-explain|tls|spam|blobs ARGS...");
            System.exit(2);
        }
        try {
            System.exit(new AdminCli(arguments.get(1), System.out).run(arguments.subList(2, arguments.size())));
        } catch (AdminException e) {
            System.err.println(e.getMessage().startsWith("usage:") ? e.getMessage() : "gateway: " + e.getMessage());
            System.exit(e.getMessage().startsWith("usage:") ? 2 : 1);
        }
    }

    int run(List<String> arguments) {
        String command = arguments.get(0);
        List<String> rest = arguments.subList(1, arguments.size());
        Confirmation confirmation = Confirmation.terminal(out);
        return switch (command) {
            case "queue" -> new QueueCommand(webAdmin, out, confirmation).run(rest);
            case "quarantine" -> new QuarantineCommand(webAdmin, out, confirmation).run(rest);
            case "add-user" -> new AddUserCommand(webAdmin, out).run(rest);
            case "routing-explain" -> new RoutingExplainCommand(webAdmin, out).run(rest);
            case "tls" -> new TlsReloadCommand(webAdmin, out).run(rest);
            case "spam" -> new SpamThresholdsCommand(webAdmin, out).run(rest);
            case "blobs" -> new BlobsCommand(webAdmin, out).run(rest);
            default -> throw new AdminException("usage: unknown command " + command);
        };
    }
}
