package dev.gateway.queue.cassandra;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.annotation.PreDestroy;
import javax.inject.Inject;

import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.apache.james.queue.api.MailQueueName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.datastax.oss.driver.api.core.CqlSession;
import com.google.common.collect.ImmutableSet;

/**
 * The mail queues of this node, kept in Cassandra: James asks it for the spool, the outgoing queue and any other
 * queue a mailet names. Queues are listed across nodes (a queue created on one node is seen by all), and one
 * thread per node renews the leases of the mails it is processing.
 */
public final class CassandraMailQueueFactory implements MailQueueFactory<CassandraMailQueue> {

    private static final Logger LOGGER = LoggerFactory.getLogger(CassandraMailQueueFactory.class);

    private final QueueStore store;
    private final MailCodec codec = new MailCodec();
    private final QueueSettings settings;
    private final Clock clock;
    private final MailQueueItemDecoratorFactory decorators;
    private final String owner;
    private final ConcurrentMap<MailQueueName, CassandraMailQueue> queues = new ConcurrentHashMap<>();
    private final ScheduledExecutorService leaseKeeper;

    @Inject
    public CassandraMailQueueFactory(CqlSession session, QueueSettings settings, Clock clock, MailQueueItemDecoratorFactory decorators) {
        this.store = new QueueStore(session);
        this.settings = settings;
        this.clock = clock;
        this.decorators = decorators;
        this.owner = nodeName() + "/" + UUID.randomUUID().toString().substring(0, 8);
        this.leaseKeeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "cassandra-queue-leases");
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(1, settings.lease().toMillis() / 3);
        leaseKeeper.scheduleAtFixedRate(this::renewLeases, period, period, TimeUnit.MILLISECONDS);
        LOGGER.info("Cassandra mail queues: node {}, slices of {}, leases of {}", owner, settings.sliceLength(), settings.lease());
    }

    @Override
    public Optional<CassandraMailQueue> getQueue(MailQueueName name, PrefetchCount count) {
        if (queues.containsKey(name) || listCreatedMailQueues().contains(name)) {
            return Optional.of(createQueue(name, count));
        }
        return Optional.empty();
    }

    @Override
    public CassandraMailQueue createQueue(MailQueueName name, PrefetchCount count) {
        return queues.computeIfAbsent(name, queueName -> {
            store.registerQueue(queueName.asString()).block();
            return new CassandraMailQueue(queueName, store, codec, settings, clock, owner, decorators);
        });
    }

    @Override
    public Set<MailQueueName> listCreatedMailQueues() {
        return store.queues().map(MailQueueName::of).collect(ImmutableSet.toImmutableSet()).block();
    }

    /** This node's name in leases, for operators reading the leases table. */
    public String owner() {
        return owner;
    }

    private void renewLeases() {
        try {
            queues.values().forEach(CassandraMailQueue::renewLeases);
        } catch (RuntimeException e) {
            LOGGER.warn("Lease renewal failed; retrying in a third of a lease", e);
        }
    }

    @PreDestroy
    public void close() {
        leaseKeeper.shutdownNow();
        queues.values().forEach(CassandraMailQueue::stopConsumers);
    }

    private static String nodeName() {
        String pid = ManagementFactory.getRuntimeMXBean().getName().split("@")[0];
        try {
            return InetAddress.getLocalHost().getHostName() + ":" + pid;
        } catch (UnknownHostException e) {
            return "node:" + pid;
        }
    }
}
