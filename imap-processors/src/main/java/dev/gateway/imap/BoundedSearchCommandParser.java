package dev.gateway.imap;

import javax.inject.Inject;

import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.request.SearchKey;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.decode.DecodingException;
import org.apache.james.imap.decode.ImapRequestLineReader;
import org.apache.james.imap.decode.parser.SearchCommandParser;

/**
 * James's SEARCH parser, refusing with {@code BAD} a search that nests deeper than {@value #MAX_DEPTH} levels or holds
 * more than {@value #MAX_KEYS} keys.
 *
 * <p>James 3.8.1 parses a search key by recursion: one level per parenthesis, {@code NOT} or {@code OR}, and one per
 * key of a parenthesised list. {@code SEARCH ((((...ALL))))} with a few thousand parentheses overflowed the stack of
 * the event-loop thread that parses for many connections. Real clients nest a handful of levels; Dovecot and
 * upstream James (3.9) cap nesting the same way.
 */
public class BoundedSearchCommandParser extends SearchCommandParser {

    static final int MAX_DEPTH = 32;
    static final int MAX_KEYS = 1000;

    /** How deep the search key being parsed on this thread is, and how many keys it holds so far. */
    private static final class Budget {
        int depth;
        int keys;
    }

    // Parsing runs on the connection's event loop thread, one command at a time per thread.
    private final ThreadLocal<Budget> budget = new ThreadLocal<>();

    @Inject
    public BoundedSearchCommandParser(StatusResponseFactory statusResponseFactory) {
        super(statusResponseFactory);
    }

    @Override
    public SearchKey decode(ImapSession session, ImapRequestLineReader request) throws DecodingException {
        boolean outermost = budget.get() == null;
        if (outermost) {
            budget.set(new Budget());
        }
        try {
            return super.decode(session, request);
        } finally {
            if (outermost) {
                budget.remove();
            }
        }
    }

    @Override
    protected SearchKey searchKey(ImapSession session, ImapRequestLineReader request, Context context, boolean isFirstToken)
            throws DecodingException {
        Budget current = budget.get();
        if (current == null) {
            return super.searchKey(session, request, context, isFirstToken);
        }
        if (++current.keys > MAX_KEYS) {
            throw new DecodingException(HumanReadableText.ILLEGAL_ARGUMENTS, "Search holds more than " + MAX_KEYS + " keys");
        }
        if (++current.depth > MAX_DEPTH) {
            throw new DecodingException(HumanReadableText.ILLEGAL_ARGUMENTS, "Search nests deeper than " + MAX_DEPTH + " levels");
        }
        try {
            return super.searchKey(session, request, context, isFirstToken);
        } finally {
            current.depth--;
        }
    }
}
