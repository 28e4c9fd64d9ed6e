package dev.gateway.admin;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Asks the operator a yes/no question on the terminal; without a terminal the answer is no (use --yes). */
interface Confirmation {

    boolean confirm(String question);

    static Confirmation terminal(PrintStream prompt) {
        return question -> {
            if (System.console() == null) {
                throw new AdminException(question + " not asked: no terminal; give --yes to skip the question");
            }
            prompt.print(question + " [y/N] ");
            prompt.flush();
            try {
                String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                return answer != null && answer.trim().toLowerCase(java.util.Locale.ROOT).matches("y|yes");
            } catch (IOException e) {
                return false;
            }
        };
    }
}
