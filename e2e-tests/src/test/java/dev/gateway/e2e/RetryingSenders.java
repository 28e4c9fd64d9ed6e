package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.Mailboxes;
import dev.gateway.testkit.SmtpSession;

/**
 * Mail flowing while a test breaks a dependency: several senders on the MX port, each behaving like a sending
 * server (a message answered 4xx is kept and retried until accepted, a new one follows only then). After
 * {@link #stop()}, {@link #assertOnlyDeferredAndEveryAcceptedMessageDelivered} holds the gateway to its fault
 * contract: no answer but 250 and the expected 4xx, and every message answered 250 in the mailbox exactly once.
 * Fault tests for any dependency (spamd, a smarthost, the Cassandra queue) drive it the same way:
 *
 * <pre>{@code
 * RetryingSenders traffic = RetryingSenders.start(GATEWAY, to, 3);
 * try (traffic) {
 *     traffic.awaitAccepted(3);
 *     dependency.stop();
 *     traffic.awaitAnswers("451 4.7.1", 6);
 *     dependency.start();
 *     traffic.awaitAccepted(traffic.accepted() + 3);
 * }
 * traffic.assertOnlyDeferredAndEveryAcceptedMessageDelivered(PASSWORD, "451 4.7.1");
 * }</pre>
 */
final class RetryingSenders implements AutoCloseable {

    private final GatewayExtension gateway;
    private final String to;
    private final Set<String> accepted = ConcurrentHashMap.newKeySet();
    private final Map<String, java.time.Instant> acceptedAt = new ConcurrentHashMap<>();
    private final Set<String> unanswered = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> answers = new ConcurrentHashMap<>();
    private final AtomicBoolean sending = new AtomicBoolean(true);
    private final java.util.concurrent.atomic.AtomicReference<AcceptedTrigger> trigger = new java.util.concurrent.atomic.AtomicReference<>();
    private final ExecutorService senders;
    private final List<Future<?>> running = new ArrayList<>();

    private RetryingSenders(GatewayExtension gateway, String to, int senderCount) {
        this.gateway = gateway;
        this.to = to;
        this.senders = Executors.newFixedThreadPool(senderCount);
    }

    /** Starts {@code senderCount} senders of clean, uniquely identified messages to {@code to}. */
    static RetryingSenders start(GatewayExtension gateway, String to, int senderCount) {
        RetryingSenders traffic = new RetryingSenders(gateway, to, senderCount);
        for (int i = 0; i < senderCount; i++) {
            traffic.running.add(traffic.senders.submit(traffic::sendUntilStopped));
        }
        return traffic;
    }

    private Void sendUntilStopped() throws Exception {
        String pending = null;
        while (sending.get() || pending != null) {
            String messageId = pending != null ? pending : SpamMessages.newMessageId();
            String reply;
            try {
                reply = send(messageId);
            } catch (java.io.IOException e) {
                // No reply (the connection broke or timed out): a sending server keeps the message and tries again.
                unanswered.add(messageId);
                reply = "no reply";
            }
            // Code and enhanced code: "250 2.6.0", "451 4.7.1".
            answers.merge(reply.substring(0, Math.min(9, reply.length())), 1, Integer::sum);
            if (reply.startsWith("250")) {
                acceptedAt.put(messageId, java.time.Instant.now());
                accepted.add(messageId);
                pending = null;
                fireTrigger();
            } else {
                pending = messageId;
                Thread.sleep(300);
            }
        }
        return null;
    }

    private String send(String messageId) throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(gateway.process(), GatewayProcess.Port.SMTP, gateway.tls())) {
            smtp.ehlo("sender.example");
            return smtp.send("carol@sender.example", SpamMessages.clean(messageId, to, "traffic " + messageId), to);
        }
    }

    private record AcceptedTrigger(int count, Runnable action, java.util.concurrent.CountDownLatch done) {
    }

    /**
     * Runs {@code action} in the sender that gets the {@code count}-th 250, right after that reply (the others keep
     * sending), and returns once it ran. For faults that must strike right after an acceptance, such as killing
     * the store that acknowledged it.
     */
    void onAccepted(int count, Runnable action) throws InterruptedException {
        AcceptedTrigger armed = new AcceptedTrigger(count, action, new java.util.concurrent.CountDownLatch(1));
        trigger.set(armed);
        fireTrigger();
        if (!armed.done().await(2, TimeUnit.MINUTES)) {
            throw new IllegalStateException("fewer than " + count + " messages accepted within 2 minutes");
        }
    }

    private void fireTrigger() {
        AcceptedTrigger armed = trigger.get();
        if (armed != null && accepted.size() >= armed.count() && trigger.compareAndSet(armed, null)) {
            try {
                armed.action().run();
            } finally {
                armed.done().countDown();
            }
        }
    }

    int accepted() {
        return accepted.size();
    }

    void awaitAccepted(int count) {
        awaitAccepted(count, Duration.ofSeconds(60));
    }

    void awaitAccepted(int count, Duration atMost) {
        await().atMost(atMost).until(() -> accepted.size() >= count);
    }

    void awaitAnswers(String answer, int count) {
        await().atMost(Duration.ofSeconds(60)).until(() -> answers.getOrDefault(answer, 0) >= count);
    }

    /** Waits for {@code count} temporary refusals (4xx at any step of the transaction) in all. */
    void awaitDeferrals(int count) {
        await().atMost(Duration.ofSeconds(60)).until(() -> answers.entrySet().stream()
            .filter(answer -> answer.getKey().startsWith("4")).mapToInt(Map.Entry::getValue).sum() >= count);
    }

    /** Stops sending; senders holding a deferred message first get it accepted (up to two minutes). */
    void stop() throws Exception {
        sending.set(false);
        try {
            for (Future<?> sender : running) {
                sender.get(2, TimeUnit.MINUTES);
            }
        } finally {
            senders.shutdownNow();
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }

    /** The answers so far by code and enhanced code ("250 2.6.0", "451 4.0.0", "no reply"), with their counts. */
    Map<String, Integer> answers() {
        return Map.copyOf(answers);
    }

    /** When the message was answered 250; null for a message never accepted. */
    java.time.Instant acceptedAt(String messageId) {
        return acceptedAt.get(messageId);
    }

    /**
     * Every accepted message with the number of its copies in the recipient's INBOX, found by Message-ID: 0 is a
     * message missing, more than 1 a re-delivery.
     */
    Map<String, Integer> copiesDelivered(String password) throws Exception {
        Map<String, Integer> copies = new java.util.HashMap<>();
        accepted.forEach(messageId -> copies.put(messageId, 0));
        java.util.regex.Pattern header = java.util.regex.Pattern.compile("(?im)^Message-ID: <([^>]+)>");
        for (String raw : Mailboxes.inbox(gateway.process(), gateway.tls(), to, password)) {
            java.util.regex.Matcher matcher = header.matcher(raw);
            if (matcher.find()) {
                copies.computeIfPresent(matcher.group(1), (messageId, count) -> count + 1);
            }
        }
        return copies;
    }

    /** After {@link #stop()}: the answers were 250 or {@code deferral}, and every accepted message arrived once. */
    void assertOnlyDeferredAndEveryAcceptedMessageDelivered(String password, String deferral) throws Exception {
        assertOnlyDeferredAndEveryAcceptedMessageDelivered(password, deferral, false);
    }

    /**
     * The same for a dependency whose failure may interrupt a delivery between the mailbox and the queue's
     * acknowledgement (the Cassandra queue): every accepted message arrived, at least once.
     */
    void assertOnlyDeferredAndEveryAcceptedMessageDeliveredAtLeastOnce(String password, String deferral) throws Exception {
        assertOnlyDeferredAndEveryAcceptedMessageDelivered(password, deferral, true);
    }

    private void assertOnlyDeferredAndEveryAcceptedMessageDelivered(String password, String deferral, boolean duplicatesAllowed)
            throws Exception {
        System.out.printf("traffic to %s: answers %s, %d messages accepted%n", to, answers, accepted.size());
        assertThat(answers.keySet()).as("answers seen: %s", answers).containsOnly("250 2.6.0", deferral);
        await().atMost(Duration.ofSeconds(90)).until(() -> duplicatesAllowed
            ? gateway.webAdmin().deliveredCount(to) >= accepted.size()
            : gateway.webAdmin().deliveredCount(to) == accepted.size());
        gateway.webAdmin().awaitNothingQueuedOrParked();
        List<String> inbox = Mailboxes.inbox(gateway.process(), gateway.tls(), to, password);
        long duplicates = inbox.size() - accepted.size();
        System.out.printf("traffic to %s: %d in the mailbox, %d more than accepted%n", to, inbox.size(), duplicates);
        for (String messageId : accepted) {
            List<String> copies = inbox.stream().filter(raw -> raw.contains("Message-ID: <" + messageId + ">")).toList();
            if (duplicatesAllowed) {
                assertThat(copies).as(messageId).isNotEmpty();
            } else {
                assertThat(copies).as(messageId).hasSize(1);
            }
        }
        if (!duplicatesAllowed) {
            assertThat(inbox).hasSize(accepted.size());
        }
    }
}
