package dev.gateway.storage.cassandra.guice;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A daemon thread that runs a cluster node's refresh from Cassandra at a fixed delay, for the life of the server. */
final class Polling {

    private static final Logger LOGGER = LoggerFactory.getLogger(Polling.class);

    static void every(Duration period, String threadName, String what, Runnable refresh) {
        ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, threadName);
            thread.setDaemon(true);
            return thread;
        });
        poller.scheduleWithFixedDelay(() -> {
            try {
                refresh.run();
            } catch (RuntimeException e) {
                // Cassandra unreachable for a moment: what is in force stays, the next poll tries again.
                LOGGER.warn("Could not read the newest version of the {}: {}", what, e.toString());
            }
        }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private Polling() {
    }
}
