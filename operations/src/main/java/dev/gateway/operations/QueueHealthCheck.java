package dev.gateway.operations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;

import org.apache.james.core.healthcheck.Result;

/**
 * WebAdmin's {@code /healthcheck} entry "Mail queues": degraded when a queue holds more than {@code maxSize} mails or
 * the mail first in line is older than {@code maxAge}, naming each such queue with its depth and age; healthy
 * otherwise. Never unhealthy: a backlog is for an operator to look at ({@code bin/gateway queue list}), and
 * restarting the node would not clear it.
 */
public class QueueHealthCheck extends BlockingHealthCheck {

    /** The limits, from {@code GATEWAY_QUEUE_HEALTH_MAX_SIZE} (10000) and {@code GATEWAY_QUEUE_HEALTH_MAX_AGE} (6h). */
    public record Limits(long maxSize, Duration maxAge) {

        static Limits fromEnvironment(Map<String, String> environment) {
            String size = environment.getOrDefault("GATEWAY_QUEUE_HEALTH_MAX_SIZE", "10000");
            String age = environment.getOrDefault("GATEWAY_QUEUE_HEALTH_MAX_AGE", "6h");
            try {
                return new Limits(Long.parseLong(size.trim()), MailFilter.duration(age));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("GATEWAY_QUEUE_HEALTH_MAX_SIZE must be a number and GATEWAY_QUEUE_HEALTH_MAX_AGE "
                    + "an age such as 6h, not '" + size + "' and '" + age + "'", e);
            }
        }
    }

    private final QueueMeasurements queues;
    private final Limits limits;

    @Inject
    public QueueHealthCheck(QueueMeasurements queues, Limits limits) {
        super("Mail queues");
        this.queues = queues;
        this.limits = limits;
    }

    @Override
    Result checkNow() {
        List<String> backlogged = new ArrayList<>();
        for (QueueMeasurements.Depth depth : queues.measure()) {
            if (depth.size() > limits.maxSize() || depth.headAge().compareTo(limits.maxAge()) > 0) {
                backlogged.add(depth.queue() + ": " + depth.size() + " mails, first in line " + depth.headAge().toMinutes() + " min old");
            }
        }
        if (backlogged.isEmpty()) {
            return Result.healthy(componentName());
        }
        return Result.degraded(componentName(), String.join("; ", backlogged) + " (limits: " + limits.maxSize() + " mails, "
            + limits.maxAge().toMinutes() + " min)");
    }
}
