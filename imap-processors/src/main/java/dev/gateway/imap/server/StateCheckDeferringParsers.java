package dev.gateway.imap.server;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;

import org.apache.james.imap.api.ImapCommand;
import org.apache.james.imap.api.ImapSessionState;
import org.apache.james.imap.api.Tag;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.decode.ImapCommandParser;
import org.apache.james.imap.decode.ImapCommandParserFactory;
import org.apache.james.imap.decode.ImapRequestLineReader;
import org.apache.james.imap.decode.base.AbstractImapCommandParser;

/**
 * James's command parsers with their session-state check moved from the moment a command is read to the moment it is
 * started.
 *
 * <p>James 3.8.1 refuses a command that is not valid in the session's state while parsing it
 * ({@code AbstractImapCommandParser.parse}), and parsing happens as soon as the command's bytes arrive. A client that
 * pipelines {@code SELECT INBOX} and {@code FETCH 1 ...} has the FETCH parsed while the SELECT is still running: when
 * the SELECT completes asynchronously (a Cassandra read, a busy machine), the FETCH is answered
 * {@code NO FETCH failed. Command not valid in this state.} although the SELECT before it succeeded. RFC 9051 section
 * 5.5 lets a client pipeline exactly this. Here each command is parsed as if the session were in a state it is valid
 * in, and {@link OrderedCommandHandler} checks the real state when the command's turn comes
 * ({@link StateCheckedCommand}).
 *
 * <p>The parsers read nothing else of the session's state (checked against James 3.8.1's decode package), so parsing
 * in the assumed state yields the same request.
 */
final class StateCheckDeferringParsers implements ImapCommandParserFactory {

    /** The states tried, in order, when the session's own state is not one the command is valid in. */
    private static final List<ImapSessionState> PARSING_STATES = List.of(
        ImapSessionState.SELECTED, ImapSessionState.AUTHENTICATED, ImapSessionState.NON_AUTHENTICATED);

    private final ImapCommandParserFactory parsers;
    private final StatusResponseFactory responses;

    StateCheckDeferringParsers(ImapCommandParserFactory parsers, StatusResponseFactory responses) {
        this.parsers = parsers;
        this.responses = responses;
    }

    @Override
    public ImapCommandParser getParser(String commandName) {
        ImapCommandParser parser = parsers.getParser(commandName);
        if (parser instanceof AbstractImapCommandParser checking) {
            return (request, tag, session) -> parse(checking, request, tag, session);
        }
        return parser;
    }

    private StateCheckedCommand parse(AbstractImapCommandParser parser, ImapRequestLineReader request, Tag tag,
                                      ImapSession session) {
        ImapCommand command = parser.getCommand();
        ImapSessionState now = session.getState();
        ImapSessionState assumed = command.validForState(now) ? now : PARSING_STATES.stream()
            .filter(command::validForState)
            .findFirst()
            .orElse(now);
        ImapSession parsingSession = assumed == now ? session : inState(session, assumed);
        return new StateCheckedCommand(command, parser.parse(request, tag, parsingSession), tag, responses);
    }

    /** The session as the parser sees it: the same in everything but its state. */
    private static ImapSession inState(ImapSession session, ImapSessionState state) {
        return (ImapSession) Proxy.newProxyInstance(ImapSession.class.getClassLoader(), new Class<?>[] {ImapSession.class},
            (proxy, method, arguments) -> {
                if (method.getName().equals("getState") && method.getParameterCount() == 0) {
                    return state;
                }
                try {
                    return method.invoke(session, arguments);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
    }
}
