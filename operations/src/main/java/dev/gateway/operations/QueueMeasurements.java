package dev.gateway.operations;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each queue's depth and the age of the mail first in line (the one due soonest, aged from its topmost
 * {@code Received} header): what {@code /metrics} and {@code /healthcheck} report. Only the first mail is read, so a
 * measurement costs one message read per queue, not the whole queue.
 */
public class QueueMeasurements {

    /** One queue at one instant; {@code headAge} is zero for an empty queue. */
    public record Depth(String queue, long size, Duration headAge) {
    }

    private static final Logger LOGGER = LoggerFactory.getLogger(QueueMeasurements.class);

    private final MailQueueFactory<? extends ManageableMailQueue> queues;

    @Inject
    public QueueMeasurements(MailQueueFactory<? extends ManageableMailQueue> queues) {
        this.queues = queues;
    }

    /** Every queue this server has; a queue that cannot be read is logged and left out. */
    public List<Depth> measure() {
        Instant now = Instant.now();
        List<Depth> depths = new ArrayList<>();
        for (MailQueueName name : queues.listCreatedMailQueues()) {
            try {
                ManageableMailQueue queue = queues.getQueue(name).orElseThrow();
                Duration age = head(queue).map(arrived -> Duration.between(arrived, now))
                    .filter(duration -> !duration.isNegative()).orElse(Duration.ZERO);
                depths.add(new Depth(name.asString(), queue.getSize(), age));
            } catch (MessagingException | RuntimeException e) {
                LOGGER.warn("Could not measure queue {}", name.asString(), e);
            }
        }
        return depths;
    }

    private static Optional<Instant> head(ManageableMailQueue queue) throws MessagingException {
        ManageableMailQueue.MailQueueIterator views = queue.browse();
        try {
            return views.hasNext()
                ? Optional.of(new QueuedMail(queue.getName().asString(), false, views.next().getMail(), Optional.empty()).arrived())
                : Optional.empty();
        } finally {
            views.close();
        }
    }
}
