package dev.gateway.mailets;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import javax.inject.Singleton;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;

import dev.gateway.routing.Route;
import dev.gateway.routing.Rule;

/**
 * {@code gateway_routing_rule_hits_total{rule, action}} on {@code /metrics}: how many recipients each rule of the
 * routing table matched since start, counted by {@link RouteByTable}, with the rule's own action ({@code relay},
 * {@code copy}, {@code none} for a rule that only changes headers...). A label per rule, not a metric name per rule:
 * rule names come from the operator's table. A rule removed from the table keeps its count until the restart.
 * One per server (a Guice singleton).
 */
@Singleton
public class RoutingRuleHits extends Collector {

    private final Map<List<String>, LongAdder> counts = new ConcurrentHashMap<>();

    /** Counts every rule that matched this recipient, the deciding one included. */
    void count(Route route) {
        for (Rule rule : route.matched()) {
            counts.computeIfAbsent(List.of(rule.name(), rule.action().kind().written()), labels -> new LongAdder()).increment();
        }
    }

    @Override
    public List<MetricFamilySamples> collect() {
        CounterMetricFamily hits = new CounterMetricFamily("gateway_routing_rule_hits",
            "Recipients each routing rule matched since start, by rule name and the rule's action", List.of("rule", "action"));
        counts.forEach((labels, count) -> hits.addMetric(labels, count.sum()));
        return List.of(hits);
    }
}
