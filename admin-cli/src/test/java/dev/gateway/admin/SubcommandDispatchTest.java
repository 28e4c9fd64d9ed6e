package dev.gateway.admin;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * What both sub-command families answer before any request: the usage for no word or an unknown one, a refused
 * option, a bad age. The WebAdmin address is one nothing listens on, so a request made by mistake fails the test
 * with a connection error instead of the answer asserted.
 */
class SubcommandDispatchTest {

    private static final WebAdmin NOWHERE = new WebAdmin("http://127.0.0.1:9");
    private static final PrintStream OUT = new PrintStream(new ByteArrayOutputStream());

    @Test
    void noWordOrAnUnknownOneAnswersTheUsage() {
        for (List<String> words : List.of(List.<String>of(), List.of("frobnicate"))) {
            assertThatThrownBy(() -> queue().run(words)).isInstanceOf(AdminException.class).hasMessage(QueueCommand.USAGE);
            assertThatThrownBy(() -> quarantine().run(words)).isInstanceOf(AdminException.class)
                .hasMessage(QuarantineCommand.USAGE);
        }
    }

    @Test
    void anOptionTheFamilyDoesNotTakeIsRefused() {
        assertThatThrownBy(() -> quarantine().run(List.of("list", "--queue", "spool")))
            .isInstanceOf(AdminException.class).hasMessage("unknown option --queue");
    }

    @Test
    void aBadAgeIsRefusedWithTheGrammarBeforeAnyRequest() {
        assertThatThrownBy(() -> quarantine().run(List.of("list", "--older-than", "2w")))
            .isInstanceOf(AdminException.class)
            .hasMessage("--older-than: expected a number and s, m, h or d (90s, 30m, 2h, 3d), not '2w'");
    }

    private static QueueCommand queue() {
        return new QueueCommand(NOWHERE, OUT, question -> false);
    }

    private static QuarantineCommand quarantine() {
        return new QuarantineCommand(NOWHERE, OUT, question -> false);
    }
}
