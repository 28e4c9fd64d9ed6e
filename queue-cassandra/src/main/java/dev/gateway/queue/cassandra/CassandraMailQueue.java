package dev.gateway.queue.cassandra;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.mailet.Mail;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;

/**
 * A mail queue kept in Cassandra, shared by every gateway node that uses the same keyspace.
 *
 * <p>The queue is split into shards; each node polls the shards it holds a lease on ({@link ShardLeases}), so no
 * lightweight transaction is spent per mail: {@link Enqueuer} writes, {@link Dequeuer} reads, {@link Acknowledger}
 * deletes, {@link QueueManagement} serves WebAdmin. A node that dies stops renewing its shard leases, and the other
 * nodes take the shards over and deliver what is left in them: at least once (mail being processed at the crash is
 * delivered again, and counted). See docs/queue-cassandra.md.
 */
public final class CassandraMailQueue implements ManageableMailQueue {

    private static final Logger LOGGER = LoggerFactory.getLogger(CassandraMailQueue.class);
    private static final int MAX_BATCH = 64;

    private final MailQueueName name;
    private final QueueSettings settings;
    private final MailCodec codec;
    private final MailQueueItemDecoratorFactory decorators;
    private final QueueShards shards;
    private final Enqueuer enqueuer;
    private final Dequeuer dequeuer;
    private final Acknowledger acknowledger;
    private final QueueManagement management;
    private final List<Poller> pollers = new CopyOnWriteArrayList<>();

    CassandraMailQueue(MailQueueName name, QueueSettings settings, MailCodec codec, MailQueueItemDecoratorFactory decorators,
                       QueueShards shards, Enqueuer enqueuer, Dequeuer dequeuer, Acknowledger acknowledger,
                       QueueManagement management) {
        this.name = name;
        this.settings = settings;
        this.codec = codec;
        this.decorators = decorators;
        this.shards = shards;
        this.enqueuer = enqueuer;
        this.dequeuer = dequeuer;
        this.acknowledger = acknowledger;
        this.management = management;
        shards.onAcquired(() -> {
            dequeuer.readSoon();
            wakePollers();
        });
    }

    @Override
    public MailQueueName getName() {
        return name;
    }

    @Override
    public void enQueue(Mail mail, Duration delay) throws MailQueueException {
        try {
            enqueue(mail, delay).block();
        } catch (RuntimeException e) {
            throw new MailQueueException("Could not enqueue mail " + mail.getName() + " in " + name.asString(), e);
        }
    }

    @Override
    public void enQueue(Mail mail) throws MailQueueException {
        enQueue(mail, Duration.ZERO);
    }

    @Override
    public Publisher<Void> enqueueReactive(Mail mail) {
        return enqueue(mail, Duration.ZERO);
    }

    private Mono<Void> enqueue(Mail mail, Duration delay) {
        return enqueuer.enqueue(mail, delay, row -> dequeuer.claim(row, demand()))
            .doOnNext(row -> {
                dequeuer.offer(row);
                wakePollers();
            })
            .then();
    }

    @Override
    public Publisher<MailQueueItem> deQueue() {
        return Flux.<MailQueueItem>create(sink -> {
                Poller poller = new Poller(sink);
                pollers.add(poller);
                sink.onRequest(any -> poller.wake());
                sink.onDispose(() -> {
                    poller.stop();
                    pollers.remove(poller);
                });
                poller.start();
            }, FluxSink.OverflowStrategy.BUFFER)
            .map(item -> decorators.decorate(item, name));
    }

    /** Mails this node's consumers have asked for and not been given: their waiting workers. */
    private long demand() {
        return pollers.stream().mapToLong(poller -> Math.max(0, poller.sink.requestedFromDownstream())).sum();
    }

    private void wakePollers() {
        pollers.forEach(Poller::wake);
    }

    /** One dequeuing subscriber: takes only as many mails as its subscriber has asked for. */
    private final class Poller implements Runnable {
        private final FluxSink<MailQueueItem> sink;
        private final Object signal = new Object();
        private final Thread thread;
        private volatile boolean stopped;
        private boolean woken;

        Poller(FluxSink<MailQueueItem> sink) {
            this.sink = sink;
            this.thread = new Thread(this, "cassandra-queue-" + name.asString());
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        void stop() {
            stopped = true;
            wake();
        }

        void wake() {
            synchronized (signal) {
                woken = true;
                signal.notifyAll();
            }
        }

        @Override
        public void run() {
            long idle = settings.pollMin().toMillis();
            while (!stopped) {
                long demand = sink.requestedFromDownstream();
                if (demand <= 0) {
                    pause(settings.pollMax().toMillis());
                    continue;
                }
                int taken = 0;
                try {
                    for (Dequeuer.Taken item : dequeuer.poll((int) Math.min(demand, MAX_BATCH))) {
                        if (sink.isCancelled()) {
                            dequeuer.putBack(item.row());
                            continue;
                        }
                        sink.next(new Item(item.row(), item.mail()));
                        taken++;
                    }
                } catch (RuntimeException e) {
                    LOGGER.warn("Could not poll queue {} in Cassandra; retrying", name.asString(), e);
                    idle = settings.pollMax().toMillis();
                }
                if (taken > 0) {
                    idle = settings.pollMin().toMillis();
                } else {
                    pause(idle);
                    idle = Math.min(idle * 2, settings.pollMax().toMillis());
                }
            }
        }

        private void pause(long millis) {
            synchronized (signal) {
                if (!woken && !stopped) {
                    try {
                        signal.wait(millis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        stopped = true;
                    }
                }
                woken = false;
            }
        }
    }

    private final class Item implements MailQueueItem {
        private final QueuedRow row;
        private final Mail mail;

        Item(QueuedRow row, Mail mail) {
            this.row = row;
            this.mail = mail;
        }

        @Override
        public Mail getMail() {
            return mail;
        }

        @Override
        public void done(CompletionStatus status) throws MailQueueException {
            try {
                acknowledger.done(row, status).ifPresent(retry -> {
                    dequeuer.offer(retry);
                    wakePollers();
                });
            } catch (RuntimeException e) {
                // The row is still there (Cassandra unreachable, say): hand it back so that it is delivered again
                // rather than left until a restart.
                shards.unfinished(row.id());
                dequeuer.putBack(row);
                throw new MailQueueException("Could not complete mail " + mail.getName() + " of queue " + name.asString(), e);
            }
        }
    }

    // Management.

    @Override
    public long getSize() {
        return management.rows().size();
    }

    @Override
    public MailQueueIterator browse() {
        Iterator<QueuedRow> rows = management.rows().iterator();
        return new MailQueueIterator() {
            private MailQueueItemView next;

            @Override
            public boolean hasNext() {
                while (next == null && rows.hasNext()) {
                    next = management.view(rows.next()).orElse(null);
                }
                return next != null;
            }

            @Override
            public MailQueueItemView next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                MailQueueItemView view = next;
                next = null;
                return view;
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public long flush() {
        long flushed = management.flush();
        wakePollers();
        return flushed;
    }

    @Override
    public long clear() {
        return management.removeWhere(metadata -> true);
    }

    @Override
    public long remove(Type type, String value) {
        return management.removeWhere(metadata -> codec.matches(metadata, type, value));
    }

    /**
     * Nothing to release: the factory hands out one shared instance per queue, and callers such as WebAdmin close
     * what they looked up. Consumers stop by cancelling their subscription; the factory stops the rest at shutdown.
     */
    @Override
    public void close() {
    }

    void stopConsumers() {
        pollers.forEach(Poller::stop);
    }

    QueueShards shards() {
        return shards;
    }
}
