package dev.gateway.sieve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VacationDaysTest {

    @Test
    void noDaysMeansTheRfcDefaultWithinTheBounds() {
        assertThat(new VacationDays(1, 30).clamp(0)).isEqualTo(7);
        assertThat(new VacationDays(1, 5).clamp(0)).isEqualTo(5);
    }

    @Test
    void aScriptsDaysAreKeptWithinTheSitesBounds() {
        VacationDays days = new VacationDays(2, 30);
        assertThat(days.clamp(1)).isEqualTo(2);
        assertThat(days.clamp(14)).isEqualTo(14);
        assertThat(days.clamp(90)).isEqualTo(30);
    }

    @Test
    void boundsThatCannotHoldAreRefusedWithTheirSettingName() {
        assertThatThrownBy(() -> new VacationDays(0, 30)).hasMessageContaining("vacationMinimumDays");
        assertThatThrownBy(() -> new VacationDays(10, 5)).hasMessageContaining("vacationMaximumDays");
    }
}
