package dev.gateway.e2e;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

import javax.net.ssl.SSLContext;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.SmtpSession;

/**
 * Sends numbered messages ({@code Subject: <prefix>-<n>}) to one recipient over several concurrent SMTP sessions on
 * the MX port, and remembers exactly which ones the server accepted with 250 after DATA, which it refused, and which
 * were sent but never answered (the server died mid-transaction). A session that loses its connection tries to
 * reconnect once; when the server does not answer any more, the session ends (the numbers it did not reach stay
 * unsent). Sessions also end when all numbers are used or {@code keepGoing}, given the accepted count, says stop.
 */
final class SmtpLoad {

    /** What happened to each message, by subject. */
    record Outcome(Set<String> accepted, Set<String> refused, Set<String> unanswered) {
    }

    private SmtpLoad() {
    }

    static Outcome send(GatewayProcess gateway, SSLContext tls, String prefix, int count, int sessions, String recipient,
                        IntPredicate keepGoing) throws InterruptedException {
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        Set<String> refused = ConcurrentHashMap.newKeySet();
        Set<String> unanswered = ConcurrentHashMap.newKeySet();
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(sessions);
        try {
            for (int s = 0; s < sessions; s++) {
                pool.submit(() -> {
                    SmtpSession smtp = null;
                    int n;
                    while ((n = next.getAndIncrement()) < count && keepGoing.test(accepted.size())) {
                        String subject = prefix + "-" + n;
                        if (smtp == null || !smtp.isConnected()) {
                            try {
                                smtp = SmtpSession.connect(gateway, GatewayProcess.Port.SMTP, tls);
                                smtp.ehlo("load.example");
                            } catch (IOException e) {
                                closeQuietly(smtp);
                                break;
                            }
                        }
                        try {
                            String reply = smtp.send("load@sender.example",
                                SmtpSession.message("load@sender.example", recipient, subject), recipient);
                            (reply.startsWith("250") ? accepted : refused).add(subject);
                        } catch (IOException e) {
                            unanswered.add(subject);
                            closeQuietly(smtp);
                            smtp = null;
                        }
                    }
                    closeQuietly(smtp);
                    return null;
                });
            }
        } finally {
            pool.shutdown();
            pool.awaitTermination(30, java.util.concurrent.TimeUnit.MINUTES);
        }
        return new Outcome(Set.copyOf(accepted), Set.copyOf(refused), Set.copyOf(unanswered));
    }

    private static void closeQuietly(SmtpSession smtp) {
        if (smtp != null) {
            try {
                smtp.close();
            } catch (IOException ignored) {
                // the server is gone; nothing to say goodbye to
            }
        }
    }
}
