package dev.gateway.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MailAddress;
import org.apache.james.metrics.dropwizard.DropWizardMetricFactory;
import org.apache.james.server.core.JamesServerResourceLoader;
import org.apache.james.server.core.configuration.Configuration;
import org.apache.james.server.core.filesystem.FileSystemImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.codahale.metrics.MetricRegistry;

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
        assertThat(settings.engine()).isEqualTo(new SpamEngineSettings(SpamEngineSettings.Kind.SPAMASSASSIN, "127.0.0.1", 783,
            "127.0.0.1", 11333, 11334, ""));
        assertThat(settings.maxMessageSize()).isEqualTo(500 * 1024);
        assertThat(settings.onFailure()).isEqualTo(SpamFilter.OnFailure.ACCEPT);
        assertThat(settings.readTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(settings.thresholds()).isEqualTo(new SpamThresholds(5.0, 10.0, 15.0));
        assertThat(settings.thresholdsFile()).isEmpty();
        assertThat(settings.thresholds().verdict(4.9)).isEqualTo(SpamFilter.CLEAN);
        assertThat(settings.thresholds().verdict(5.0)).isEqualTo(SpamFilter.TAGGED);
        assertThat(settings.thresholds().verdict(10.0)).isEqualTo(SpamFilter.QUARANTINE);
    }

    @Test
    void choosesRspamdAndRefusesAnUnknownEngine() {
        BaseHierarchicalConfiguration rspamd = new BaseHierarchicalConfiguration();
        rspamd.addProperty("engine", " RSPAMD ");
        rspamd.addProperty("rspamdPort", "7831");
        BaseHierarchicalConfiguration unknown = new BaseHierarchicalConfiguration();
        unknown.addProperty("engine", "spamd");

        SpamEngineSettings engine = SpamFilter.Settings.from(rspamd).engine();
        assertThat(engine.kind()).isEqualTo(SpamEngineSettings.Kind.RSPAMD);
        assertThat(engine.create(Duration.ofSeconds(1), Duration.ofSeconds(1)).describe()).isEqualTo("rspamd at 127.0.0.1:7831 (controller 11334)");
        assertThatThrownBy(() -> SpamFilter.Settings.from(unknown))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("spam engine must be spamassassin or rspamd, not 'spamd'");
    }

    @Test
    void readsThresholdsPolicyAndOff() {
        BaseHierarchicalConfiguration configuration = new BaseHierarchicalConfiguration();
        configuration.addProperty("quarantineThreshold", "off");
        configuration.addProperty("rejectThreshold", "20");
        configuration.addProperty("onFailure", "tempfail");
        configuration.addProperty("maxMessageSize", "1M");

        SpamFilter.Settings settings = SpamFilter.Settings.from(configuration);

        assertThat(settings.thresholds().quarantine()).isInfinite();
        assertThat(settings.thresholds().verdict(19.9)).isEqualTo(SpamFilter.TAGGED);
        assertThat(settings.thresholds().reject()).isEqualTo(20.0);
        assertThat(settings.onFailure()).isEqualTo(SpamFilter.OnFailure.TEMPFAIL);
        assertThat(settings.maxMessageSize()).isEqualTo(1024 * 1024);
    }

    @Test
    void refusesAnUnknownFailurePolicy() {
        BaseHierarchicalConfiguration configuration = new BaseHierarchicalConfiguration();
        configuration.addProperty("onFailure", "drop");

        assertThatThrownBy(() -> SpamFilter.Settings.from(configuration)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsTheThresholdsFileFromTheConfigurationFolderAndNamesItInErrors(@TempDir Path home) throws Exception {
        Path conf = Files.createDirectories(home.resolve("conf"));
        Files.writeString(conf.resolve("thresholds.xml"), "<thresholds><domain name=\"a.example\" tag=\"x\"/></thresholds>");
        BaseHierarchicalConfiguration configuration = new BaseHierarchicalConfiguration();
        configuration.addProperty("thresholdsFile", "thresholds.xml");

        assertThatThrownBy(() -> filter(home).init(configuration))
            .isInstanceOf(ConfigurationException.class)
            .hasMessage(conf.resolve("thresholds.xml") + ": <domain name=\"a.example\" tag=\"x\">: tag 'x' is neither a number nor off");
    }

    @Test
    void refusesToStartWithoutTheThresholdsFile(@TempDir Path home) {
        BaseHierarchicalConfiguration configuration = new BaseHierarchicalConfiguration();
        configuration.addProperty("thresholdsFile", home.resolve("missing.xml").toString());

        assertThatThrownBy(() -> filter(home).init(configuration))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageStartingWith("SpamFilter thresholdsFile " + home.resolve("missing.xml") + " cannot be read");
    }

    @Test
    void startsWithAValidThresholdsFileAndWithoutOne(@TempDir Path home) throws Exception {
        Path file = Files.writeString(home.resolve("thresholds.xml"), "<thresholds><user address=\"b@a.example\" reject=\"off\"/></thresholds>");
        BaseHierarchicalConfiguration withFile = new BaseHierarchicalConfiguration();
        withFile.addProperty("thresholdsFile", file.toString());

        SpamFilter fromFile = filter(home);
        fromFile.init(withFile);
        SpamFilter withoutFile = filter(home);
        withoutFile.init(new BaseHierarchicalConfiguration());

        MailAddress overridden = new MailAddress("b@a.example");
        assertThat(fromFile.thresholdsFor(overridden).reject()).as("reject=\"off\" from the file").isInfinite();
        assertThat(fromFile.thresholdsFor(overridden).quarantine()).as("not overridden: the global value").isEqualTo(10.0);
        assertThat(fromFile.thresholdsFor(new MailAddress("c@a.example")).reject()).isEqualTo(15.0);
        assertThat(withoutFile.thresholdsFor(overridden).reject()).isEqualTo(15.0);
    }

    @Test
    void sendsSpamdOnlyTheFirstScanSizeBytesCutAtALineEnd() throws Exception {
        byte[] message = "Subject: hi\r\n\r\nline one\r\nline two\r\n".getBytes(StandardCharsets.US_ASCII);

        assertThat(SpamFilter.firstPart(new ByteArrayInputStream(message), message.length)).isEqualTo(message);
        assertThat(new String(SpamFilter.firstPart(new ByteArrayInputStream(message), message.length - 1), StandardCharsets.US_ASCII))
            .isEqualTo("Subject: hi\r\n\r\nline one\r\n");
        assertThat(new String(SpamFilter.firstPart(new ByteArrayInputStream("abcdefgh".getBytes(StandardCharsets.US_ASCII)), 5),
            StandardCharsets.US_ASCII)).as("one line longer than the limit").isEqualTo("abcde");
    }

    @Test
    void readsTheScanSizeAndRefusesATinyOne() {
        assertThat(SpamFilter.Settings.from(new BaseHierarchicalConfiguration()).scanSize()).isEqualTo(32 * 1024);
        BaseHierarchicalConfiguration configuration = new BaseHierarchicalConfiguration();
        configuration.addProperty("scanSize", "100");

        assertThatThrownBy(() -> SpamFilter.Settings.from(configuration)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("SpamFilter scanSize must be at least 1K");
    }

    private static SpamFilter filter(Path home) {
        return new SpamFilter(Clock.systemUTC(), new FileSystemImpl(new JamesServerResourceLoader(home.toString())),
            new Configuration.ConfigurationPath("file://" + home.resolve("conf") + "/"), new SpamEngineStatus(),
            new SpamMetrics(new DropWizardMetricFactory(new MetricRegistry())));
    }
}
