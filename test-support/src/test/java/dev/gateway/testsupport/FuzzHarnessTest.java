package dev.gateway.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class FuzzHarnessTest {

    private final FuzzHarness fuzz = FuzzHarness.fromSystemProperties();

    @Test
    void reportsAnUnexpectedExceptionAsACrashWithItsInput() {
        FuzzHarness.Report report = fuzz.run("fragile", List.of("plain@example.test"), Set.of(IllegalArgumentException.class),
            input -> {
                if (input.contains("%")) {
                    throw new NullPointerException("percent");
                }
            });
        assertThat(report.crashes()).isNotEmpty().allMatch(crash -> crash.contains("NullPointerException: percent on input"));
    }

    @Test
    void countsExpectedExceptionsAsRefusalsNotCrashes() {
        FuzzHarness.Report report = fuzz.run("strict", List.of("abc"), Set.of(IllegalArgumentException.class),
            input -> {
                if (!input.equals("abc")) {
                    throw new IllegalArgumentException("not abc");
                }
            });
        assertThat(report.crashes()).isEmpty();
        assertThat(report.refused()).isPositive().isLessThan(report.cases());
    }

    @Test
    void aBrokenPropertyIsACrash() {
        FuzzHarness.Report report = fuzz.run("property", List.of("ab"), Set.of(),
            FuzzHarness.checking(String::length, length -> length < 50, "shorter than 50"));
        assertThat(report.crashes()).isNotEmpty().allMatch(crash -> crash.contains("shorter than 50 broken"));
    }
}
