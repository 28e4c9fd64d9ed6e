package dev.gateway.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.apache.james.imap.api.message.request.SearchKey;
import org.apache.james.imap.decode.DecodingException;
import org.apache.james.imap.decode.ImapRequestStreamLineReader;
import org.apache.james.imap.encode.FakeImapSession;
import org.apache.james.imap.message.response.UnpooledStatusResponseFactory;
import org.junit.jupiter.api.Test;

class BoundedSearchCommandParserTest {

    private final BoundedSearchCommandParser parser = new BoundedSearchCommandParser(new UnpooledStatusResponseFactory());
    private final FakeImapSession session = new FakeImapSession();

    @Test
    void nestingUpToTheLimitParsesAsJamesDoes() throws Exception {
        SearchKey key = parse(nested(BoundedSearchCommandParser.MAX_DEPTH - 1));
        assertThat(key).isNotNull();
    }

    @Test
    void oneLevelMoreIsRefused() {
        assertThatThrownBy(() -> parse(nested(BoundedSearchCommandParser.MAX_DEPTH)))
            .isInstanceOf(DecodingException.class)
            .hasMessageContaining("nests deeper than " + BoundedSearchCommandParser.MAX_DEPTH);
    }

    @Test
    void thousandsOfParenthesesNotsAndOrsAreRefusedWithoutOverflowingTheStack() {
        assertThatThrownBy(() -> parse(nested(20_000))).isInstanceOf(DecodingException.class);
        assertThatThrownBy(() -> parse("NOT ".repeat(20_000) + "ALL")).isInstanceOf(DecodingException.class);
        assertThatThrownBy(() -> parse("OR ALL ".repeat(20_000) + "ALL")).isInstanceOf(DecodingException.class);
    }

    @Test
    void aLongFlatListIsBoundedByTheKeyCount() throws Exception {
        assertThat(parse("(" + "ALL ".repeat(BoundedSearchCommandParser.MAX_KEYS - 2) + "ALL)")).isNotNull();
        assertThatThrownBy(() -> parse("(" + "ALL ".repeat(50_000) + "ALL)"))
            .isInstanceOf(DecodingException.class)
            .hasMessageContaining("more than " + BoundedSearchCommandParser.MAX_KEYS + " keys");
    }

    @Test
    void theBudgetIsPerSearchNotPerThread() throws Exception {
        for (int i = 0; i < 3 * BoundedSearchCommandParser.MAX_KEYS; i++) {
            assertThat(parse("NOT (SEEN FLAGGED)")).isNotNull();
        }
        assertThatThrownBy(() -> parse(nested(100))).isInstanceOf(DecodingException.class);
        assertThat(parse("OR SEEN (FLAGGED NOT DELETED)")).isNotNull();
    }

    private static String nested(int depth) {
        return "(".repeat(depth) + "ALL" + ")".repeat(depth);
    }

    private SearchKey parse(String keys) throws DecodingException {
        byte[] line = (keys + "\r\n").getBytes(StandardCharsets.US_ASCII);
        return parser.decode(session, new ImapRequestStreamLineReader(new ByteArrayInputStream(line), new ByteArrayOutputStream()));
    }
}
