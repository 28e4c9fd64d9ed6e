package dev.gateway.storage.cassandra;

import java.io.InputStream;
import java.util.List;

import org.apache.james.mailbox.model.ParsedAttachment;
import org.apache.james.mailbox.store.mail.model.impl.MessageParser;
import org.apache.james.mime4j.dom.Message;

/**
 * Finds no attachment in an appended message, so that the mailboxes store each message once: its header and body
 * blobs, nothing beside them.
 *
 * <p>James 3.8.1 parses every message appended to a mailbox for its attachments and stores each one again, decoded,
 * as a blob of its own with a row in {@code attachmentV2}: for JMAP, which lists and serves attachments apart from
 * their message. The body blob already holds the same bytes, base64-encoded. Gateway serves IMAP and POP3, which read
 * a message whole and parse it when asked for its structure ({@code BODYSTRUCTURE}, {@code BODY[2]}), and its
 * mailets read the mail itself, not the mailbox. So the second copy was written and never read: a message carrying a
 * 1 MB file (1.37 MB of base64) cost 2.37 MB of blobs instead of 1.37, and every delivered message, attachment or
 * not, a MIME parse of the whole of it to look for attachments. James still opens the message's stream before it asks
 * this parser, which reads its headers; that part cannot be bound away here.
 *
 * <p>Messages stored before keep their attachment rows, which James still reads with them and deletes with them.
 * Bound in place of James's {@link MessageParser} by the cluster profile's mailbox module; James's JMAP would find no
 * attachment in a message stored here.
 */
public class AttachmentsLeftInTheMessage extends MessageParser {

    @Override
    public ParsingResult retrieveAttachments(InputStream fullContent) {
        return ParsingResult.EMPTY;
    }

    @Override
    public List<ParsedAttachment> retrieveAttachments(Message message) {
        return List.of();
    }
}
