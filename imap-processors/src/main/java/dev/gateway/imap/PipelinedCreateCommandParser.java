package dev.gateway.imap;

import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.imap.api.ImapMessage;
import org.apache.james.imap.api.Tag;
import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.decode.DecodingException;
import org.apache.james.imap.decode.ImapRequestLineReader;
import org.apache.james.imap.decode.parser.CreateCommandParser;
import org.apache.james.imap.message.request.CreateRequest;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.model.MailboxConstants;

/**
 * James's CREATE parser, able to parse a CREATE read before the LOGIN ahead of it has completed.
 *
 * <p>Gateway parses a pipelined command before the commands ahead of it have run (their effect on the session is
 * checked when the command starts: {@code dev.gateway.imap.server.StateCheckDeferringParsers}). James's CREATE parser
 * reads the hierarchy delimiter from the session's mailbox session, which does not exist until LOGIN completes, and
 * throws a NullPointerException that drops the connection. Here the delimiter is James's, the one every mailbox
 * session of this server uses, whether or not the session has one yet.
 */
public class PipelinedCreateCommandParser extends CreateCommandParser {

    @Inject
    public PipelinedCreateCommandParser(StatusResponseFactory statusResponseFactory) {
        super(statusResponseFactory);
    }

    @Override
    protected ImapMessage decode(ImapRequestLineReader request, Tag tag, ImapSession session) throws DecodingException {
        String mailboxName = request.mailbox();
        char delimiter = Optional.ofNullable(session.getMailboxSession())
            .map(MailboxSession::getPathDelimiter)
            .orElse(MailboxConstants.DEFAULT_DELIMITER);
        // RFC 3501 section 6.3.3: a name ending with the delimiter creates the mailbox without it.
        if (mailboxName.endsWith(String.valueOf(delimiter))) {
            mailboxName = mailboxName.substring(0, mailboxName.length() - 1);
        }
        request.eol();
        if (mailboxName.chars().allMatch(c -> c == delimiter)) {
            throw new DecodingException(HumanReadableText.ILLEGAL_ARGUMENTS, "Invalid mailbox name");
        }
        return new CreateRequest(mailboxName, tag);
    }
}
