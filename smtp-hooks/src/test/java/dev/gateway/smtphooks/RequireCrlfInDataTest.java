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

    private static byte[] bytes(String line) {
        return line.getBytes(StandardCharsets.US_ASCII);
    }
}
