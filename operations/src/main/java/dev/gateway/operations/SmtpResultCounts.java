package dev.gateway.operations;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import javax.inject.Singleton;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;

/**
 * {@code gateway_smtp_hook_results_total{listener, hook, result, code}} on {@code /metrics}: every decision an SMTP
 * hook took, counted by {@link CountSmtpResults} since start. One instance for all listeners (Guice singleton).
 */
@Singleton
public class SmtpResultCounts extends Collector {

    private final Map<List<String>, LongAdder> counts = new ConcurrentHashMap<>();

    void count(String listener, String hook, String result, String code) {
        counts.computeIfAbsent(List.of(listener, hook, result, code), labels -> new LongAdder()).increment();
    }

    @Override
    public List<MetricFamilySamples> collect() {
        CounterMetricFamily results = new CounterMetricFamily("gateway_smtp_hook_results",
            "SMTP hook decisions (ok, deny, denysoft, with disconnect when the session was closed) by listener, hook and reply code",
            List.of("listener", "hook", "result", "code"));
        counts.forEach((labels, count) -> results.addMetric(labels, count.sum()));
        return List.of(results);
    }
}
