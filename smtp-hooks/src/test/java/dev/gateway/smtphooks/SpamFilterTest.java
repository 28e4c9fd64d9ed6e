package dev.gateway.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.junit.jupiter.api.Test;

class SpamFilterTest {

    private static String strip(String message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SpamFilter.copyWithoutSpamHeaders(new ByteArrayInputStream(message.getBytes(StandardCharsets.US_ASCII)), out);
        return out.toString(StandardCharsets.US_ASCII);
    }

    @Test
    void removesSendersSpamHeadersWithTheirContinuationLinesButNotInTheBody() throws Exception {
        String message = "Received: from x\r\nX-Spam-Flag: NO\r\nSubject: hi\r\nx-spam-status: No, score=-5\r\n\ttests=FORGED\r\n"
            + "To: a@b\r\n\r\nX-Spam-Flag: NO in the body stays\r\n";

        assertThat(strip(message)).isEqualTo("Received: from x\r\nSubject: hi\r\nTo: a@b\r\n\r\nX-Spam-Flag: NO in the body stays\r\n");
    }

    @Test
    void leavesAMessageWithoutSpamHeadersByteForByte() throws Exception {
        String message = "Subject: hi\r\nX-Spammy: not ours\r\n\r\nbody\r\n\r\n.. more\r\n";

        assertThat(strip(message)).isEqualTo(message);
    }

    @Test
    void foldsLongHeadersAtCommas() {
        String header = SpamFilter.header("X-Spam-Status",
            "Yes, score=7.2 required=5.0 verdict=tagged tests=ADVANCE_FEE_2_NEW_MONEY,DEAR_SOMETHING,FREEMAIL_FROM,LOTS_OF_MONEY,MONEY_FRAUD_5,UNDISC_MONEY");

        assertThat(header).endsWith("\r\n");
        for (String line : header.split("\r\n")) {
            assertThat(line.length()).isLessThanOrEqualTo(78);
        }
        assertThat(header.replace("\r\n\t", "")).isEqualTo("X-Spam-Status: Yes, score=7.2 required=5.0 verdict=tagged tests="
            + "ADVANCE_FEE_2_NEW_MONEY,DEAR_SOMETHING,FREEMAIL_FROM,LOTS_OF_MONEY,MONEY_FRAUD_5,UNDISC_MONEY\r\n");
    }

    @Test
    void readsItsSettingsWithDefaults() {
        SpamFilter.Settings settings = SpamFilter.Settings.from(new BaseHierarchicalConfiguration());

        assertThat(settings.enabled()).isTrue();
        assertThat(settings.spamdPort()).isEqualTo(783);
        assertThat(settings.maxMessageSize()).isEqualTo(500 * 1024);
        assertThat(settings.onFailure()).isEqualTo(SpamFilter.OnFailure.ACCEPT);
        assertThat(settings.readTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(settings.verdict(4.9)).isEqualTo(SpamFilter.CLEAN);
        assertThat(settings.verdict(5.0)).isEqualTo(SpamFilter.TAGGED);
        assertThat(settings.verdict(10.0)).isEqualTo(SpamFilter.QUARANTINE);
    }

    @Test
    void readsThresholdsPolicyAndOff() {
        BaseHierarchicalConfiguration configuration = new BaseHierarchicalConfiguration();
        configuration.addProperty("quarantineThreshold", "off");
        configuration.addProperty("rejectThreshold", "20");
        configuration.addProperty("onFailure", "tempfail");
        configuration.addProperty("maxMessageSize", "1M");

        SpamFilter.Settings settings = SpamFilter.Settings.from(configuration);

        assertThat(settings.quarantineThreshold()).isInfinite();
        assertThat(settings.verdict(1_000)).isEqualTo(SpamFilter.TAGGED);
        assertThat(settings.rejectThreshold()).isEqualTo(20.0);
        assertThat(settings.onFailure()).isEqualTo(SpamFilter.OnFailure.TEMPFAIL);
        assertThat(settings.maxMessageSize()).isEqualTo(1024 * 1024);
    }

    @Test
    void refusesAnUnknownFailurePolicy() {
        BaseHierarchicalConfiguration configuration = new BaseHierarchicalConfiguration();
        configuration.addProperty("onFailure", "drop");

        assertThatThrownBy(() -> SpamFilter.Settings.from(configuration)).isInstanceOf(IllegalArgumentException.class);
    }
}
