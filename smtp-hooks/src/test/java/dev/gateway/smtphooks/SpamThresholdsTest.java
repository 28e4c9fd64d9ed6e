package dev.gateway.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Locale;
import java.util.Random;

import org.junit.jupiter.api.Test;

class SpamThresholdsTest {

    private static final double OFF = Double.POSITIVE_INFINITY;

    @Test
    void verdictsFollowTheThresholds() {
        SpamThresholds thresholds = new SpamThresholds(5.0, 10.0, 15.0);

        assertThat(thresholds.verdict(4.9)).isEqualTo(SpamFilter.CLEAN);
        assertThat(thresholds.verdict(5.0)).isEqualTo(SpamFilter.TAGGED);
        assertThat(thresholds.verdict(10.0)).isEqualTo(SpamFilter.QUARANTINE);
        assertThat(thresholds.rejects(14.9)).isFalse();
        assertThat(thresholds.rejects(15.0)).isTrue();
    }

    @Test
    void aRecipientWhoseRejectThresholdIsReachedIsQuarantinedEvenWithQuarantineOff() {
        SpamThresholds thresholds = new SpamThresholds(5.0, OFF, 8.0);

        assertThat(thresholds.verdict(7.9)).isEqualTo(SpamFilter.TAGGED);
        assertThat(thresholds.verdict(8.0)).isEqualTo(SpamFilter.QUARANTINE);
    }

    @Test
    void offIsNeverReached() {
        SpamThresholds thresholds = new SpamThresholds(OFF, OFF, OFF);

        assertThat(thresholds.verdict(1e9)).isEqualTo(SpamFilter.CLEAN);
        assertThat(thresholds.rejects(1e9)).isFalse();
        assertThat(thresholds).hasToString("tag off, quarantine off, reject off");
    }

    @Test
    void parsesNumbersAndOff() {
        assertThat(SpamThresholds.parse(" 7.5 ")).isEqualTo(7.5);
        assertThat(SpamThresholds.parse("-2")).isEqualTo(-2.0);
        assertThat(SpamThresholds.parse("OFF")).isInfinite();
        assertThatThrownBy(() -> SpamThresholds.parse("NaN")).isInstanceOf(NumberFormatException.class);
        assertThatThrownBy(() -> SpamThresholds.parse("seven")).isInstanceOf(NumberFormatException.class);
    }

    @Test
    void scoresAreWrittenAsStringFormatWritesThem() {
        double[] edges = {0.0, -0.0, 0.05, 0.15, 0.25, -0.05, -0.04, -0.25, 4.95, 5.05, 14.999, 1e9, -1e9, 1e-7, -1e-7,
            Double.MIN_VALUE, 1000.45, 999.95, Double.NaN, Double.NEGATIVE_INFINITY};
        for (double value : edges) {
            assertThat(SpamThresholds.oneDecimal(value)).as("%s", value).isEqualTo(String.format(Locale.ROOT, "%.1f", value));
        }
        Random random = new Random(20261202);
        for (int i = 0; i < 100_000; i++) {
            // Scores as spamd and rspamd give them (up to three decimals), and arbitrary doubles.
            double value = i % 2 == 0 ? Math.round((random.nextDouble() - 0.3) * 60_000) / 1000.0 : (random.nextDouble() - 0.5) * 200;
            assertThat(SpamThresholds.oneDecimal(value)).as("%s", value).isEqualTo(String.format(Locale.ROOT, "%.1f", value));
        }
    }
}
