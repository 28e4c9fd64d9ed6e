package dev.gateway.imap;

import org.apache.james.imap.api.message.response.ImapResponseMessage;
import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.api.process.SelectedMailbox;
import org.apache.james.imap.message.response.ExistsResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes a SELECT or EXAMINE's responses on, but answers EXISTS with the number of messages the session's selected
 * mailbox holds: the numbering its later commands (FETCH 1:n, STORE n) are checked against.
 *
 * <p>James 3.8.1 answers EXISTS from the mailbox's counters, read after the selection listed the mailbox's messages.
 * A message delivered in between is counted but not listed: a client that trusts EXISTS and fetches by sequence
 * number gets {@code BAD Invalid messageset}. Counters that have drifted (a Cassandra store can keep a wrong count)
 * give the same error on every SELECT. Upstream fixed it the same way in 3.9 (JAMES-4088).
 */
final class ExistsFromSelection implements ImapProcessor.Responder {

    private static final Logger LOGGER = LoggerFactory.getLogger(ExistsFromSelection.class);

    private final ImapProcessor.Responder next;
    private final ImapSession session;

    ExistsFromSelection(ImapProcessor.Responder next, ImapSession session) {
        this.next = next;
        this.session = session;
    }

    @Override
    public void respond(ImapResponseMessage message) {
        SelectedMailbox selected = session.getSelected();
        if (message instanceof ExistsResponse && selected != null) {
            long counted = ((ExistsResponse) message).getNumberOfMessages();
            long listed = selected.existsCount();
            if (counted != listed) {
                LOGGER.info("Mailbox {}: EXISTS {} (listed at selection), its counters said {}",
                    selected.getMailboxId().serialize(), listed, counted);
            }
            next.respond(new ExistsResponse(listed));
        } else {
            next.respond(message);
        }
    }

    @Override
    public void flush() {
        next.flush();
    }
}
