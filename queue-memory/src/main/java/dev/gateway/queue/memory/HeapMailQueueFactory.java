package dev.gateway.queue.memory;

import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import javax.annotation.PreDestroy;
import javax.inject.Inject;

import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.apache.james.queue.api.MailQueueName;

import com.google.common.collect.ImmutableSet;

/** The {@link HeapMailQueue}s of one server: created on first use, kept until the server stops. */
public final class HeapMailQueueFactory implements MailQueueFactory<HeapMailQueue> {

    private final Clock clock;
    private final MailQueueItemDecoratorFactory decorators;
    private final ConcurrentMap<MailQueueName, HeapMailQueue> queues = new ConcurrentHashMap<>();

    @Inject
    public HeapMailQueueFactory(MailQueueItemDecoratorFactory decorators) {
        this(Clock.systemUTC(), decorators);
    }

    public HeapMailQueueFactory(Clock clock, MailQueueItemDecoratorFactory decorators) {
        this.clock = clock;
        this.decorators = decorators;
    }

    @Override
    public Optional<HeapMailQueue> getQueue(MailQueueName name, PrefetchCount count) {
        return Optional.ofNullable(queues.get(name));
    }

    @Override
    public HeapMailQueue createQueue(MailQueueName name, PrefetchCount count) {
        return queues.computeIfAbsent(name, queueName -> new HeapMailQueue(queueName, clock, decorators));
    }

    @Override
    public Set<MailQueueName> listCreatedMailQueues() {
        return ImmutableSet.copyOf(queues.keySet());
    }

    @PreDestroy
    public void close() {
        queues.values().forEach(HeapMailQueue::dispose);
    }
}
