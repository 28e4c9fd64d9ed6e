package dev.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class AgeTest {

    @Test
    void eachUnit() {
        assertThat(Age.parse("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Age.parse("30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(Age.parse(" 2h ")).isEqualTo(Duration.ofHours(2));
        assertThat(Age.parse("3d")).isEqualTo(Duration.ofDays(3));
    }

    @Test
    void anythingElseIsRefusedWithTheExpectedSyntax() {
        for (String bad : new String[] {"", "2", "h", "2w", "-1h", "1.5h", "2H", "1h30m", "1234567890d"}) {
            assertThatThrownBy(() -> Age.parse(bad)).as(bad)
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("90s, 30m, 2h, 3d");
        }
        assertThatThrownBy(() -> Age.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
