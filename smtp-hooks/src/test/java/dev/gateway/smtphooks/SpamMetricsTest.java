package dev.gateway.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.james.metrics.dropwizard.DropWizardMetricFactory;
import org.junit.jupiter.api.Test;

import com.codahale.metrics.MetricRegistry;

class SpamMetricsTest {

    private final MetricRegistry registry = new MetricRegistry();
    private final SpamMetrics metrics = new SpamMetrics(new DropWizardMetricFactory(registry));

    @Test
    void everyVerdictCounterAndTheScanTimerExistFromTheStartAtZero() {
        assertThat(registry.getMeters().keySet()).containsExactlyInAnyOrder(
            "gateway_spam_verdict_clean", "gateway_spam_verdict_tagged", "gateway_spam_verdict_quarantine",
            "gateway_spam_verdict_per_recipient", "gateway_spam_verdict_rejected", "gateway_spam_verdict_unchecked",
            "gateway_spam_verdict_deferred");
        assertThat(registry.getMeters().values()).allSatisfy(meter -> assertThat(meter.getCount()).isZero());
        assertThat(registry.getTimers()).containsOnlyKeys("gateway_spam_scan");
        assertThat(registry.getTimers().get("gateway_spam_scan").getCount()).as("the registering start is never stopped").isZero();
    }

    @Test
    void countsEachVerdictUnderItsOwnNameAndTimesScans() {
        metrics.count(SpamFilter.TAGGED);
        metrics.count(SpamFilter.TAGGED);
        metrics.count(SpamFilter.PER_RECIPIENT);
        metrics.startScan().stopAndPublish();

        assertThat(registry.getMeters().get("gateway_spam_verdict_tagged").getCount()).isEqualTo(2);
        assertThat(registry.getMeters().get("gateway_spam_verdict_per_recipient").getCount()).isEqualTo(1);
        assertThat(registry.getMeters().get("gateway_spam_verdict_clean").getCount()).isZero();
        assertThat(registry.getTimers().get("gateway_spam_scan").getCount()).isEqualTo(1);
        assertThat(registry.getMeters()).as("no counter made up for a verdict with a dash").hasSize(SpamMetrics.VERDICTS.size());
    }
}
