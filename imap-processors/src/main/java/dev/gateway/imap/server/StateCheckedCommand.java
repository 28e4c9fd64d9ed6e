package dev.gateway.imap.server;

import java.io.Closeable;
import java.io.IOException;

import org.apache.james.imap.api.ImapCommand;
import org.apache.james.imap.api.ImapMessage;
import org.apache.james.imap.api.ImapSessionState;
import org.apache.james.imap.api.Tag;
import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.response.StatusResponseFactory;

/**
 * A parsed command whose "valid in this state?" check waits until the command is started, in the state every command
 * before it has left the session in. Made by {@link StateCheckDeferringParsers}, opened by {@link OrderedCommandHandler}.
 *
 * @param command what the client asked for, whose states it is valid in
 * @param parsed the parsed request (or the {@code BAD} its syntax earned)
 * @param tag the command's tag
 * @param responses what builds the {@code NO} answer, only when the session is in a state the command is not valid in
 *                  (rare: not built for every command on the hot path)
 */
record StateCheckedCommand(ImapCommand command, ImapMessage parsed, Tag tag, StatusResponseFactory responses)
    implements ImapMessage, Closeable {

    /** What to process once the commands before this one are done and the session is in {@code state}. */
    ImapMessage inState(ImapSessionState state) {
        return command.validForState(state) ? parsed : responses.taggedNo(tag, command, HumanReadableText.INVALID_COMMAND);
    }

    @Override
    public void close() throws IOException {
        // The parsed request may hold an APPEND literal spooled to a file.
        if (parsed instanceof Closeable closeable) {
            closeable.close();
        }
    }
}
