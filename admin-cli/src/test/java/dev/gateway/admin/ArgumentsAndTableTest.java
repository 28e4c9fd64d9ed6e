package dev.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ArgumentsAndTableTest {

    @Test
    void optionsRepeatFlagsStandAloneAndAMisspeltOptionIsRefused() {
        Arguments args = new Arguments(List.of("--id", "a", "--held", "--id", "b", "word"), Set.of("id"), Set.of("held"));
        assertThat(args.values("id")).containsExactly("a", "b");
        assertThat(args.flag("held")).isTrue();
        assertThat(args.words()).containsExactly("word");
        assertThatThrownBy(() -> new Arguments(List.of("--recipient-domian", "x"), Set.of("recipient-domain"), Set.of()))
            .hasMessage("unknown option --recipient-domian");
        assertThatThrownBy(() -> new Arguments(List.of("--id"), Set.of("id"), Set.of())).hasMessage("--id needs a value");
    }

    @Test
    void aCellWithATabOrNewlineStaysOnItsLineAndColumnsAlign() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new Table("ID", "SENDER").row("m1", "a\tb\nc").row("longer-id", null).print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(bytes.toString(StandardCharsets.UTF_8).split("\n"))
            .containsExactly("ID         SENDER", "m1         a b c", "longer-id  -");
    }

    @Test
    void agesReadAtAGlance() {
        assertThat(List.of(Table.age(42), Table.age(1020), Table.age(18000), Table.age(3 * 86400))).containsExactly("42s", "17m", "5h", "3d");
    }

    @Test
    void filtersBecomeTheServersQueryParameters() {
        Arguments args = new Arguments(List.of("--recipient-domain", "later.test", "--older-than", "2h", "--id", "x y"),
            Set.of("recipient-domain", "older-than", "id"), Set.of());
        assertThat(WebAdmin.query(QueueCommand.filters(args))).isEqualTo("?recipientDomain=later.test&olderThan=2h&id=x+y");
    }
}
