package dev.gateway.smtphooks;

import java.util.List;

import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.TimeMetric;

/**
 * The spam filter's counts in James's metrics, hence on {@code /metrics} (docs/operations.md#metrics): one counter per
 * verdict, {@code gateway_spam_verdict_<verdict>}, counting messages, and the timer {@value #SCAN_TIMER} of the
 * exchanges with the engine. Every counter exists from start-up, at 0, so that a dashboard's rates start from the first
 * scrape. One per server (a Guice singleton), shared by the filters of every listener.
 */
@Singleton
public class SpamMetrics {

    static final String VERDICT_PREFIX = "gateway_spam_verdict_";
    static final String SCAN_TIMER = "gateway_spam_scan";
    /** A refused message (550); {@link #DEFERRED} one refused for now (451) because the engine could not scan it. */
    static final String REJECTED = "rejected";
    static final String DEFERRED = "deferred";
    /** The filter's verdicts as metric name parts ({@code per-recipient} has no dash in a metric name). */
    static final List<String> VERDICTS = List.of(SpamFilter.CLEAN, SpamFilter.TAGGED, SpamFilter.QUARANTINE,
        "per_recipient", REJECTED, SpamFilter.UNCHECKED, DEFERRED);

    private final MetricFactory metrics;

    @Inject
    public SpamMetrics(MetricFactory metrics) {
        this.metrics = metrics;
        VERDICTS.forEach(verdict -> metrics.generate(VERDICT_PREFIX + verdict));
        // Starting a timer registers it; this one is never stopped, so it records nothing.
        metrics.timer(SCAN_TIMER);
    }

    /** Counts one message with this verdict (one of the filter's verdicts, {@code rejected} or {@code deferred}). */
    void count(String verdict) {
        metrics.generate(VERDICT_PREFIX + verdict.replace('-', '_')).increment();
    }

    /** Starts timing one exchange with the engine; stop it when the engine has answered (or failed). */
    TimeMetric startScan() {
        return metrics.timer(SCAN_TIMER);
    }
}
