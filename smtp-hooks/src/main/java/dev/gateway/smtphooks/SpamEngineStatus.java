package dev.gateway.smtphooks;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import javax.inject.Singleton;

/**
 * What every {@link SpamFilter} of the server shares with {@link SpamEngineHealthCheck}: the spam engines the
 * enabled filters ask, and how many messages were accepted without a scan since start. One per server (a Guice
 * singleton), whatever the number of listeners.
 */
@Singleton
public class SpamEngineStatus {

    /** One filter's engine and what that filter does when the engine cannot answer. */
    public record Engine(SpamEngine engine, boolean failOpen) {
    }

    private final List<Engine> engines = new CopyOnWriteArrayList<>();
    private final AtomicLong unscanned = new AtomicLong();

    /** Called once by each enabled filter when it reads its configuration. */
    void register(SpamEngine engine, boolean failOpen) {
        if (engines.stream().noneMatch(known -> known.engine().describe().equals(engine.describe()))) {
            engines.add(new Engine(engine, failOpen));
        }
    }

    /** Counts one more message accepted unscanned; returns the total since start. */
    long countUnscanned() {
        return unscanned.incrementAndGet();
    }

    public long unscanned() {
        return unscanned.get();
    }

    public List<Engine> engines() {
        return List.copyOf(engines);
    }
}
