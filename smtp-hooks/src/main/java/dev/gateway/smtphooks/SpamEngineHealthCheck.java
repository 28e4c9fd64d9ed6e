package dev.gateway.smtphooks;

import java.util.ArrayList;
import java.util.List;

import javax.inject.Inject;

import org.apache.james.core.healthcheck.ComponentName;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.core.healthcheck.Result;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * WebAdmin's {@code /healthcheck} entry "Spam engine": asks each spam engine the enabled spam filters use whether it answers (spamd: PING, rspamd: /ping).
 * Every one answers: healthy. One does not: degraded when its filter accepts mail unscanned (the default), unhealthy
 * when its filter defers all MX mail with 451 meanwhile. The cause names the engine and counts the messages accepted
 * unscanned since start. No enabled filter: healthy (the filter is off by choice).
 */
public class SpamEngineHealthCheck implements HealthCheck {

    private static final ComponentName NAME = new ComponentName("Spam engine");

    private final SpamEngineStatus status;

    @Inject
    public SpamEngineHealthCheck(SpamEngineStatus status) {
        this.status = status;
    }

    @Override
    public ComponentName componentName() {
        return NAME;
    }

    @Override
    public Publisher<Result> check() {
        return Mono.fromCallable(this::checkNow).subscribeOn(Schedulers.boundedElastic());
    }

    Result checkNow() {
        List<String> down = new ArrayList<>();
        boolean anyFailClosed = false;
        for (SpamEngineStatus.Engine engine : status.engines()) {
            if (!engine.engine().ping()) {
                down.add(engine.engine().describe());
                anyFailClosed |= !engine.failOpen();
            }
        }
        if (down.isEmpty()) {
            return Result.healthy(NAME);
        }
        String cause = String.join(", ", down) + " unreachable: MX mail is "
            + (anyFailClosed ? "deferred (451)" : "accepted unscanned") + "; " + status.unscanned()
            + " message(s) accepted unscanned since start";
        return anyFailClosed ? Result.unhealthy(NAME, cause) : Result.degraded(NAME, cause);
    }
}
