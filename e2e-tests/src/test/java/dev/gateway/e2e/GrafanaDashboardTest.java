package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The parser the dashboard checks of MetricsIT and SmarthostOutageIT rely on: no gateway needed. */
class GrafanaDashboardTest {

    @Test
    void findsTheMetricNamesOfAQueryAndNothingElse() {
        assertThat(GrafanaDashboard.metricNames(
            "sum by (listener, hook) (rate(gateway_smtp_hook_results_total{hook=\"SendMailHandler\",result=~\"deny.*\"}[$__rate_interval]))"))
            .containsExactly("gateway_smtp_hook_results_total");
        assertThat(GrafanaDashboard.metricNames("gateway_spam_scan{quantile=\"0.99\"}")).containsExactly("gateway_spam_scan");
        assertThat(GrafanaDashboard.metricNames("rate(a_total[5m]) / ignoring (x) sum (b) or on() vector(0) unless c offset 5m"))
            .containsExactlyInAnyOrder("a_total", "b", "c");
        assertThat(GrafanaDashboard.metricNames("sum(rate(x[1m]))")).as("calls nested without spaces").containsExactly("x");
    }

    @Test
    void everyQueryOfTheShippedDashboardNamesAMetric() throws Exception {
        assertThat(GrafanaDashboard.queries()).hasSizeGreaterThan(10);
        assertThat(GrafanaDashboard.metricNames()).contains("gateway_spam_verdict_rejected_total", "gateway_routing_rule_hits_total",
            "gateway_bounces_total", "gateway_queue_size", "cassandra_cql_requests")
            .allSatisfy(name -> assertThat(name).doesNotContain("rate", "sum"));
    }
}
