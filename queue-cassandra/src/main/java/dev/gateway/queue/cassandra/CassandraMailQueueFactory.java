package dev.gateway.queue.cassandra;

import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.annotation.PreDestroy;
import javax.inject.Inject;

import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.apache.james.queue.api.MailQueueName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.datastax.oss.driver.api.core.CqlSession;
import com.google.common.collect.ImmutableSet;

import reactor.core.publisher.Flux;

/**
 * The mail queues of this node, kept in Cassandra: James asks it for the spool, the outgoing queue and any other
 * queue a mailet names. Queues are listed across nodes (a queue created on one node is seen by all), and one thread
 * per node renews its shard leases and balances the shards with the other live nodes three times per lease.
 */
public final class CassandraMailQueueFactory implements MailQueueFactory<CassandraMailQueue> {

    private static final Logger LOGGER = LoggerFactory.getLogger(CassandraMailQueueFactory.class);

    private final QueueStore store;
    private final MailCodec codec = new MailCodec();
    private final QueueSettings settings;
    private final Clock clock;
    private final MailQueueItemDecoratorFactory decorators;
    private final ShardLeases leases;
    private final AtomicLong redeliveries = new AtomicLong();
    private final ConcurrentMap<MailQueueName, CassandraMailQueue> queues = new ConcurrentHashMap<>();
    private final ScheduledExecutorService leaseKeeper;

    /** A node with a name of its own for this process only (tests, tools). */
    @Inject
    public CassandraMailQueueFactory(CqlSession session, QueueSettings settings, Clock clock, MailQueueItemDecoratorFactory decorators) {
        this(session, settings, clock, decorators, NodeIdentity.ephemeral());
    }

    /**
     * A node named {@code node}: give a restarted node the same name ({@link NodeIdentity}) to resume its shards. Mail
     * not kept in its row has its bytes in the queue's chunks.
     */
    public CassandraMailQueueFactory(CqlSession session, QueueSettings settings, Clock clock, MailQueueItemDecoratorFactory decorators,
                                     String node) {
        this(session, settings, clock, decorators, node, Optional.empty());
    }

    /**
     * A node named {@code node} whose mail not kept in its row has its bytes where {@code elsewhere} keeps them, or in
     * the queue's chunks without it.
     */
    public CassandraMailQueueFactory(CqlSession session, QueueSettings settings, Clock clock,
                                     MailQueueItemDecoratorFactory decorators, String node, Optional<MailBytes> elsewhere) {
        this.store = new QueueStore(session, elsewhere, new QueueChunks(session, settings.chunkSize()));
        this.settings = settings;
        this.clock = clock;
        this.decorators = decorators;
        this.leases = new ShardLeases(store, node, settings.lease(), settings.pollMax());
        this.leaseKeeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "cassandra-queue-leases");
            thread.setDaemon(true);
            return thread;
        });
        long period = settings.renewalPeriod().toMillis();
        leaseKeeper.scheduleAtFixedRate(this::renewAndBalance, period, period, TimeUnit.MILLISECONDS);
        LOGGER.info("Cassandra mail queues: node {}, {} shards per queue, slices of {}, shard leases of {}", node,
            settings.shards(), settings.sliceLength(), settings.lease());
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
        return queues.computeIfAbsent(name, this::open);
    }

    private CassandraMailQueue open(MailQueueName name) {
        String key = name.asString();
        store.registerQueue(key).block();
        QueueShards shards = new QueueShards(key, settings.shards());
        SliceIndex index = new SliceIndex(store, key);
        Enqueuer enqueuer = new Enqueuer(key, store, index, codec, settings, clock, leases.node());
        CassandraMailQueue queue = new CassandraMailQueue(name, settings, codec, decorators, shards, enqueuer,
            new Dequeuer(key, store, shards, index, codec, settings, clock, leases.node(), redeliveries),
            new Acknowledger(key, store, enqueuer, shards, settings, clock),
            new QueueManagement(key, store, shards, enqueuer, codec, settings, clock));
        leases.register(shards);
        return queue;
    }

    @Override
    public Set<MailQueueName> listCreatedMailQueues() {
        return store.queues().map(MailQueueName::of).collect(ImmutableSet.toImmutableSet()).block();
    }

    /**
     * The {@link MailBytes} reference of every mail queued in Cassandra, in every queue (opened on this node or not),
     * shard and slice; none for mail kept in its row or in chunks. A reference may be listed more than once. A mail
     * that moves while this reads (a retry, a flush) may be missed; its new row refers to bytes
     * {@link MailBytes#refresh} kept for it. Reads the whole of every queue: for a blob collection run, not a hot path.
     */
    public Flux<String> bytesReferences() {
        return store.queues()
            .concatMap(queue -> store.queuedRows(queue, settings.shards()))
            .mapNotNull(QueuedRow::bytesRef);
    }

    /** This node's name in shard leases, for operators reading the leases table. */
    public String owner() {
        return leases.node();
    }

    /** How many mails this node delivered again since it started because another run had taken them and not finished. */
    public long redeliveries() {
        return redeliveries.get();
    }

    private void renewAndBalance() {
        try {
            leases.renewAndBalance();
        } catch (RuntimeException e) {
            LOGGER.warn("Shard lease renewal failed; retrying in a third of a lease", e);
        }
    }

    @PreDestroy
    public void close() {
        leaseKeeper.shutdownNow();
        queues.values().forEach(CassandraMailQueue::stopConsumers);
        leases.releaseAll();
    }
}
