package dev.gateway.pop3hooks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessageNumberSyntaxTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "RETR | 1", "RETR | 42", "DELE | 007", "LIST | NULL", "LIST | ''", "UIDL | 3", "TOP | 1 0", "TOP | 2 100",
        "TOP | 1", "RETR | 999999999"})
    void leavesWellFormedNumbersToJames(String command, String argument) {
        assertThat(MessageNumberSyntax.check(command, argument)).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "RETR | 0", "RETR | -1", "DELE | 0", "LIST | abc", "UIDL | 1.5", "RETR | 99999999999999", "TOP | -1 5",
        "RETR | 1a", "DELE | +1", "RETR | 0000"})
    void refusesMalformedMessageNumbers(String command, String argument) {
        assertThat(MessageNumberSyntax.check(command, argument)).isSameAs(MessageNumberSyntax.BAD_MESSAGE_NUMBER);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"TOP | 1 -5", "TOP | 1 99999999999", "TOP | 1 x"})
    void refusesMalformedLineCounts(String command, String argument) {
        assertThat(MessageNumberSyntax.check(command, argument)).isSameAs(MessageNumberSyntax.BAD_LINE_COUNT);
    }
}
