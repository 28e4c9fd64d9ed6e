package dev.gateway.operations;

import java.io.StringWriter;

import java.util.Set;

import javax.inject.Inject;

import org.apache.james.webadmin.PublicRoutes;

import com.codahale.metrics.MetricRegistry;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.dropwizard.DropwizardExports;
import io.prometheus.client.exporter.common.TextFormat;
import spark.Service;

/**
 * {@code GET /metrics} in Prometheus text format (docs/operations.md#metrics): every metric James keeps in its
 * Dropwizard registry (timers of mailets, SMTP and IMAP commands, the spooler, the mailbox and Cassandra layers) as
 * James's own {@code MetricsRoutes} exports them, plus the gateway's collectors, which carry labels: {@link QueueGauges},
 * {@link SmtpResultCounts} and whatever other module adds to the set ({@code Multibinder.newSetBinder(binder(),
 * Collector.class)}, as the routing table's rule hits are added). James's route would export the registry alone; one
 * endpoint keeps Prometheus's configuration to one job.
 */
public class PrometheusRoutes implements PublicRoutes {

    static final String BASE = "/metrics";

    private final CollectorRegistry collectors = new CollectorRegistry();

    @Inject
    public PrometheusRoutes(MetricRegistry registry, Set<Collector> gatewayCollectors) {
        collectors.register(new DropwizardExports(registry));
        gatewayCollectors.forEach(collectors::register);
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        service.get(BASE, (request, response) -> {
            StringWriter text = new StringWriter();
            TextFormat.write004(text, collectors.metricFamilySamples());
            response.status(200);
            response.type(TextFormat.CONTENT_TYPE_004);
            return text.toString();
        });
    }
}
