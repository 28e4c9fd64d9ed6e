package dev.gateway.operations;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.mailrepository.api.MailRepositoryStore;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.prometheus.client.Collector;
import io.prometheus.client.GaugeMetricFamily;

/**
 * The gateway's own gauges on {@code /metrics}, computed at each scrape:
 * <ul>
 *   <li>{@code gateway_queue_size{queue}}: mails in each queue;</li>
 *   <li>{@code gateway_queue_head_age_seconds{queue}}: age of the mail first in line ({@link QueueMeasurements});</li>
 *   <li>{@code gateway_repository_size{repository}}: mails in the held, quarantine and error repositories.</li>
 * </ul>
 */
public class QueueGauges extends Collector {

    /** The repositories an operator acts on; the others are listed by WebAdmin. */
    static final List<String> REPOSITORIES = List.of("var/mail/held", "var/mail/quarantine", "var/mail/routing-quarantine",
        "var/mail/error", "var/mail/routing-rejected", "var/mail/relay-denied", "var/mail/address-error");

    private static final Logger LOGGER = LoggerFactory.getLogger(QueueGauges.class);

    private final QueueMeasurements queues;
    private final MailRepositoryStore repositories;

    @Inject
    public QueueGauges(QueueMeasurements queues, MailRepositoryStore repositories) {
        this.queues = queues;
        this.repositories = repositories;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        GaugeMetricFamily size = new GaugeMetricFamily("gateway_queue_size", "Mails in the queue", List.of("queue"));
        GaugeMetricFamily headAge = new GaugeMetricFamily("gateway_queue_head_age_seconds",
            "Age of the mail first in line (due soonest), from its topmost Received header", List.of("queue"));
        for (QueueMeasurements.Depth depth : queues.measure()) {
            size.addMetric(List.of(depth.queue()), depth.size());
            headAge.addMetric(List.of(depth.queue()), depth.headAge().toSeconds());
        }
        GaugeMetricFamily repositorySize = new GaugeMetricFamily("gateway_repository_size",
            "Mails in the mail repository", List.of("repository"));
        for (String path : REPOSITORIES) {
            try {
                Optional<MailRepository> repository = repositories.get(MailRepositoryUrl.from("repository://" + path + "/"));
                repositorySize.addMetric(List.of(path), repository.isPresent() ? repository.get().size() : 0);
            } catch (MessagingException | MailRepositoryStore.MailRepositoryStoreException | RuntimeException e) {
                LOGGER.warn("Could not measure repository {}", path, e);
            }
        }
        List<MetricFamilySamples> families = new ArrayList<>();
        families.add(size);
        families.add(headAge);
        families.add(repositorySize);
        return families;
    }
}
