package dev.gateway.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequireCrlfInDataTest {

    @ParameterizedTest
    @ValueSource(strings = {"\r\n", ".\r\n", "Subject: hello\r\n", "..stuffed\r\n", "tab\there\r\n"})
    void acceptsLinesEndingWithCrlfOnly(String line) {
        assertThat(RequireCrlfInData.hasBareLineBreak(bytes(line))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {".\n", "\n", "text\n", "\r.\r\n", "text\r.\rMAIL FROM:<x@y>\r\n", "a\rb\r\n", "\r\r\n",
        "", "x", ".", "\r", "no end\r"})
    void findsBareCrOrLf(String line) {
        assertThat(RequireCrlfInData.hasBareLineBreak(bytes(line))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"first\r\nsecond\r\n", "\r\n\r\n\r\n", "a\r\n.b\r\n"})
    void acceptsBlocksOfSuchLines(String lines) {
        assertThat(RequireCrlfInData.hasBareLineBreak(bytes(lines))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"first\nsecond\r\n", "first\r\n\rsecond\r\n", "a\r\n\n\r\n", "a\r\r\n\r\n",
        "first\r\n.\r\nMAIL FROM:<x@y>\n"})
    void findsBareCrOrLfInABlock(String lines) {
        assertThat(RequireCrlfInData.hasBareLineBreak(bytes(lines))).isTrue();
    }

    private static byte[] bytes(String line) {
        return line.getBytes(StandardCharsets.US_ASCII);
    }
}
