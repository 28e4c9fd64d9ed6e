package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.SmtpSession;
import dev.gateway.testkit.Mailboxes;

/**
 * GATEWAY_MESSAGE_MEMORY_THRESHOLD: a message below the threshold is copied in memory on its way to the mailbox,
 * one above it through temporary files; both must arrive intact. The launcher refuses a value James could not read
 * rather than letting every DATA fail later.
 */
class MessageMemoryThresholdIT {

    private static final String BOB = "bob@" + GatewayProcess.DOMAIN;
    private static final String PASSWORD = "bob's secret";

    @RegisterExtension
    static final GatewayExtension GATEWAY = new GatewayExtension(BOB, PASSWORD, Map.of(
        "GATEWAY_SPAM_ENABLED", "false",
        "GATEWAY_MESSAGE_MEMORY_THRESHOLD", "256K"));

    @Test
    void messagesBelowAndAboveTheThresholdArriveIntact() throws Exception {
        String small = message("in memory", 200 * 1024);
        String large = message("through temporary files", 1024 * 1024);
        try (SmtpSession mx = SmtpSession.connect(GATEWAY.process(), GatewayProcess.Port.SMTP, GATEWAY.tls())) {
            mx.ehlo("sender.example");
            assertThat(mx.send("carol@sender.example", small, BOB)).startsWith("250");
            assertThat(mx.send("carol@sender.example", large, BOB)).startsWith("250");
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> inbox().size() == 2);
        List<String> inbox = inbox();
        assertThat(inbox).anySatisfy(raw -> assertThat(raw).endsWith(small));
        assertThat(inbox).anySatisfy(raw -> assertThat(raw).endsWith(large));
    }

    @Test
    void launcherRefusesAThresholdItCannotRead() {
        assertThatThrownBy(() -> GatewayProcess.start(BOB, PASSWORD, Map.of("GATEWAY_MESSAGE_MEMORY_THRESHOLD", "512 kilobytes")))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("GATEWAY_MESSAGE_MEMORY_THRESHOLD: expected a size like 512K or 1M, not '512 kilobytes'");
    }

    private static List<String> inbox() throws Exception {
        return Mailboxes.inbox(GATEWAY.process(), GATEWAY.tls(), BOB, PASSWORD);
    }

    /** Headers and lines of text up to {@code size} bytes, distinct per subject so each is found by its end. */
    private static String message(String subject, int size) {
        StringBuilder message = new StringBuilder("From: carol@sender.example\r\nTo: " + BOB + "\r\nSubject: " + subject
            + "\r\n\r\n");
        for (int line = 0; message.length() < size; line++) {
            message.append(subject).append(" line ").append(line)
                .append(": the quick brown fox jumps over the lazy dog\r\n");
        }
        return message.toString();
    }
}
