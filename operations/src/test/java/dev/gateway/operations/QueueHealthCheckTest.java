package dev.gateway.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.core.healthcheck.ResultStatus;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.gateway.queue.memory.HeapMailQueue;
import dev.gateway.queue.memory.HeapMailQueueFactory;

class QueueHealthCheckTest {

    private HeapMailQueue outgoing;
    private QueueMeasurements measurements;

    @BeforeEach
    void setUp() {
        HeapMailQueueFactory queues = new HeapMailQueueFactory(new RawMailQueueItemDecoratorFactory());
        queues.createQueue(MailQueueName.of("spool"));
        outgoing = queues.createQueue(MailQueueName.of("outgoing"));
        measurements = new QueueMeasurements(queues);
    }

    @Test
    void aQueueOverItsSizeOrAgeLimitIsDegradedAndNamed() throws Exception {
        outgoing.enQueue(FakeMail.builder().name("m1").sender("a@example.test").recipient("b@later.test")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder()
                .addHeader("Received", "from client by gateway; Mon, 30 Nov 2026 09:00:00 +0000").setText("x"))
            .build());

        assertThat(new QueueHealthCheck(measurements, new QueueHealthCheck.Limits(10, Duration.ofDays(3650))).checkNow().getStatus())
            .isEqualTo(ResultStatus.HEALTHY);
        var bySize = new QueueHealthCheck(measurements, new QueueHealthCheck.Limits(0, Duration.ofDays(3650))).checkNow();
        assertThat(bySize.getStatus()).isEqualTo(ResultStatus.DEGRADED);
        assertThat(bySize.getCause()).hasValueSatisfying(cause -> assertThat(cause).startsWith("outgoing: 1 mails").doesNotContain("spool"));
        assertThat(new QueueHealthCheck(measurements, new QueueHealthCheck.Limits(10, Duration.ofHours(1))).checkNow().getStatus())
            .as("first in line since 09:00 on a day long past").isEqualTo(ResultStatus.DEGRADED);
    }

    @Test
    void limitsComeFromTheEnvironmentWithDefaultsAndABadValueIsNamed() {
        assertThat(QueueHealthCheck.Limits.fromEnvironment(Map.of())).isEqualTo(new QueueHealthCheck.Limits(10000, Duration.ofHours(6)));
        assertThat(QueueHealthCheck.Limits.fromEnvironment(Map.of("GATEWAY_QUEUE_HEALTH_MAX_AGE", "30m")).maxAge()).isEqualTo(Duration.ofMinutes(30));
        assertThatThrownBy(() -> QueueHealthCheck.Limits.fromEnvironment(Map.of("GATEWAY_QUEUE_HEALTH_MAX_SIZE", "lots")))
            .hasMessageContaining("GATEWAY_QUEUE_HEALTH_MAX_SIZE");
    }
}
