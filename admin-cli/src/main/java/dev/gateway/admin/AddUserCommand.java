package dev.gateway.admin;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code bin/gateway add-user USER@DOMAIN [PASSWORD]}: the password, when not given, is asked on the terminal without
 * echo or read from standard input, and goes to WebAdmin in a JSON body, never on a command line.
 */
final class AddUserCommand {

    private final WebAdmin webAdmin;
    private final PrintStream out;

    AddUserCommand(WebAdmin webAdmin, PrintStream out) {
        this.webAdmin = webAdmin;
        this.out = out;
    }

    int run(List<String> arguments) {
        Arguments args = new Arguments(arguments, Set.of(), Set.of());
        List<String> words = args.words();
        if (words.isEmpty() || words.size() > 2 || !words.get(0).contains("@")) {
            throw new AdminException("usage: bin/gateway add-user USER@DOMAIN [PASSWORD]");
        }
        String user = words.get(0);
        String password = words.size() == 2 ? words.get(1) : readPassword(user);
        if (password == null || password.isEmpty()) {
            throw new AdminException("empty password");
        }
        try {
            webAdmin.sendJson("PUT", "/users/" + WebAdmin.encode(user), Map.of("password", password));
            out.println("gateway: user " + user + " added");
        } catch (AdminException e) {
            if (e.httpStatus() != 409) {
                throw e;
            }
            // A durable store (the cluster profile) still has the user from an earlier start: keep its password.
            out.println("gateway: user " + user + " already exists; its password is unchanged");
        }
        return 0;
    }

    private static String readPassword(String user) {
        if (System.console() != null) {
            char[] typed = System.console().readPassword("password for %s: ", user);
            return typed == null ? null : new String(typed);
        }
        try {
            return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            throw new AdminException("could not read the password: " + e.getMessage());
        }
    }
}
