package dev.gateway.pop3hooks;

import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.pop3.POP3Response;
import org.apache.james.protocols.pop3.POP3Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a POP3 message number that is not a positive decimal number ({@code RETR 0}, {@code DELE -1},
 * {@code LIST abc}) and a {@code TOP} line count that is not a non-negative one, before James's handlers see them.
 * James parses these with {@code Integer.parseInt} and indexes its message list with them: zero and negative
 * numbers end in an {@code ArrayIndexOutOfBoundsException}, logged at ERROR with its stack trace for every such
 * command, so one client could fill the log with a loop of {@code RETR 0}. A well-formed number that names no
 * message is still James's to answer.
 *
 * <pre>{@code
 * <handlerchain>
 *     <handler class="dev.gateway.pop3hooks.MessageNumberSyntax"/>
 *     <handler class="org.apache.james.pop3server.core.CoreCmdHandlerLoader"/>
 * </handlerchain>
 * }</pre>
 *
 * Reply: {@code -ERR Message number must be a positive integer} (or {@code Line count must be ...} for TOP).
 */
public class MessageNumberSyntax implements CommandHandler<POP3Session> {

    private static final Logger LOGGER = LoggerFactory.getLogger(MessageNumberSyntax.class);
    private static final Collection<String> COMMANDS = List.of("RETR", "DELE", "LIST", "UIDL", "TOP");
    /** Up to 9 digits: always fits an int, and no mailbox holds a billion messages. */
    private static final Pattern POSITIVE = Pattern.compile("0*[1-9][0-9]{0,8}");
    private static final Pattern NON_NEGATIVE = Pattern.compile("[0-9]{1,9}");
    static final Response BAD_MESSAGE_NUMBER = new POP3Response(POP3Response.ERR_RESPONSE,
        "Message number must be a positive integer").immutable();
    static final Response BAD_LINE_COUNT = new POP3Response(POP3Response.ERR_RESPONSE,
        "Line count must be a non-negative integer").immutable();

    @Override
    public Response onCommand(POP3Session session, Request request) {
        Response refusal = check(request.getCommand(), request.getArgument());
        if (refusal != null) {
            LOGGER.info("POP3 {} with a malformed argument refused from {}", request.getCommand(),
                session.getRemoteAddress().getAddress().getHostAddress());
        }
        return refusal;
    }

    /** The refusal for these arguments, or null to let James handle the command. */
    static Response check(String command, String argument) {
        if (argument == null || argument.isBlank()) {
            return null;
        }
        String[] parts = argument.trim().split(" +");
        if (!POSITIVE.matcher(parts[0]).matches()) {
            return BAD_MESSAGE_NUMBER;
        }
        if ("TOP".equalsIgnoreCase(command) && parts.length > 1 && !NON_NEGATIVE.matcher(parts[1]).matches()) {
            return BAD_LINE_COUNT;
        }
        return null;
    }

    @Override
    public Collection<String> getImplCommands() {
        return COMMANDS;
    }
}
