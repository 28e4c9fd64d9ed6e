package dev.gateway.admin;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A command whose first word names what to do ({@code queue list}, {@code quarantine release}): the WebAdmin client,
 * output and confirmation it works with, the options its sub-commands take, and the dispatch of that first word.
 * No word, or one it does not know, answers the command's usage.
 */
abstract class SubcommandDispatch {
    protected final WebAdmin webAdmin;
    protected final PrintStream out;
    protected final Confirmation confirmation;
    private final String usage;
    private final Set<String> valued;
    private final Set<String> flags;

    SubcommandDispatch(WebAdmin webAdmin, PrintStream out, Confirmation confirmation, String usage,
                       Set<String> valued, Set<String> flags) {
        this.webAdmin = webAdmin;
        this.out = out;
        this.confirmation = confirmation;
        this.usage = usage;
        this.valued = valued;
        this.flags = flags;
    }

    /** Each sub-command's name and what it does with the options that follow it. */
    abstract Map<String, Consumer<Arguments>> subcommands();

    final int run(List<String> arguments) {
        if (arguments.isEmpty()) {
            throw new AdminException(usage);
        }
        Arguments args = new Arguments(arguments.subList(1, arguments.size()), valued, flags);
        Consumer<Arguments> subcommand = subcommands().get(arguments.get(0));
        if (subcommand == null) {
            throw new AdminException(usage);
        }
        subcommand.accept(args);
        return 0;
    }
}
