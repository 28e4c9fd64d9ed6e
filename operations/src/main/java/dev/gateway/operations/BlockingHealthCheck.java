package dev.gateway.operations;

import org.apache.james.core.healthcheck.ComponentName;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.core.healthcheck.Result;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** A health check whose work blocks (a DNS query, a queue read): run off WebAdmin's threads, on the elastic scheduler. */
abstract class BlockingHealthCheck implements HealthCheck {

    private final ComponentName name;

    BlockingHealthCheck(String name) {
        this.name = new ComponentName(name);
    }

    @Override
    public final ComponentName componentName() {
        return name;
    }

    @Override
    public final Publisher<Result> check() {
        return Mono.fromCallable(this::checkNow).subscribeOn(Schedulers.boundedElastic());
    }

    abstract Result checkNow();
}
