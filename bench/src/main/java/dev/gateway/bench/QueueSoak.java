package dev.gateway.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailQueue.MailQueueException;
import org.apache.james.queue.api.MailQueue.MailQueueItem;
import org.apache.james.queue.api.MailQueue.MailQueueItem.CompletionStatus;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;

import com.datastax.oss.driver.api.core.CqlSession;
import com.google.common.base.Strings;

import dev.gateway.queue.cassandra.CassandraConnection;
import dev.gateway.queue.cassandra.CassandraMailQueueFactory;
import dev.gateway.queue.cassandra.QueueSettings;
import dev.gateway.queue.cassandra.QueueTables;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A soak of Gateway's Cassandra mail queue on one node: is its latency as flat at the last mail as at the first, does
 * Cassandra warn of tombstones, and does the queue leave anything on disk once it is empty? Run by
 * {@code bench/queue-soak}.
 *
 * <p>MESSAGES mails of SIZE_BYTES are enqueued into one queue at a steady RATE per second, at most
 * {@value #MAX_IN_FLIGHT} enqueues at a time, while a consumer acknowledges each mail it dequeues. Printed:
 * <ul>
 *   <li>per {@value #BUCKET} mails in enqueue order: the enqueue rate achieved, how late the enqueue calls were against
 *       the schedule at worst, and p50 / p99 / max of the time from the enqueue call to the enqueue done (what an SMTP
 *       client waits for its 250), to the mail dequeued, and to the mail acknowledged (the latency);</li>
 *   <li>once the queue is empty, the size on disk of each queue table, flushed; after a major compaction; and after
 *       one more with {@code gc_grace_seconds} set to 0;</li>
 *   <li>the lines of Cassandra's log that mention tombstones, before the soak and since.</li>
 * </ul>
 *
 * <p>Arguments: {@code MESSAGES SIZE_BYTES RATE CASSANDRA_PORT JMX_PORT DATA_DIR LOG_FILE}: Cassandra's CQL and local
 * JMX ports, its data directory and its log ({@code system.log}).
 */
public final class QueueSoak {

    private static final String KEYSPACE = "queue_soak";
    private static final int BUCKET = 10_000;
    /**
     * Enqueues in flight at once, as a gateway's SMTP sessions each wait for their own: room for 200/s at 320 ms each,
     * so the producer keeps to its schedule unless enqueues slow down several times over.
     */
    private static final int MAX_IN_FLIGHT = 64;
    /** As many as the gateway's spool threads (mailetcontainer.xml, GATEWAY_SPOOLER_THREADS). */
    private static final int CONSUMERS = 20;
    /** A queue still this far behind its producer after the last enqueue has failed the soak. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration EMPTY_TIMEOUT = Duration.ofMinutes(1);
    private static final Duration SETTLE_TIMEOUT = Duration.ofMinutes(1);
    private static final int LOG_LINES_SHOWN = 20;
    private static final int EXCERPT = 300;
    private static final String STORAGE_SERVICE = "org.apache.cassandra.db:type=StorageService";
    private static final List<String> TABLES = List.of(QueueTables.QUEUES, QueueTables.NODES, QueueTables.LEASES,
        QueueTables.HEADS, QueueTables.SLICES, QueueTables.MAILS, QueueTables.BLOBS);

    private final ManageableMailQueue queue;
    private final CqlSession session;
    private final MBeanServerConnection cassandra;
    private final Path keyspaceDirectory;
    private final Path cassandraLog;
    private final long logLengthBefore;

    QueueSoak(ManageableMailQueue queue, CqlSession session, MBeanServerConnection cassandra, Path keyspaceDirectory,
              Path cassandraLog, long logLengthBefore) {
        this.queue = queue;
        this.session = session;
        this.cassandra = cassandra;
        this.keyspaceDirectory = keyspaceDirectory;
        this.cassandraLog = cassandraLog;
        this.logLengthBefore = logLengthBefore;
    }

    public static void main(String[] args) throws Exception {
        int messages = Integer.parseInt(args[0]);
        int size = Integer.parseInt(args[1]);
        int rate = Integer.parseInt(args[2]);
        int cassandraPort = Integer.parseInt(args[3]);
        int jmxPort = Integer.parseInt(args[4]);
        Path dataDirectory = Path.of(args[5]);
        Path log = Path.of(args[6]);

        // Before the keyspace is created: whatever Cassandra logs from here on is the soak's doing.
        long logLength = Files.size(log);
        CqlSession session = new CassandraConnection(List.of(new InetSocketAddress("127.0.0.1", cassandraPort)),
            "datacenter1", KEYSPACE, 1, Duration.ofSeconds(20)).open(QueueTables.MODULE);
        CassandraMailQueueFactory factory = new CassandraMailQueueFactory(session, QueueSettings.DEFAULT, Clock.systemUTC(),
            new RawMailQueueItemDecoratorFactory());
        try (JMXConnector jmx = JMXConnectorFactory.connect(
            new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi"))) {
            new QueueSoak(factory.createQueue(MailQueueName.of("soak")), session, jmx.getMBeanServerConnection(),
                dataDirectory.resolve(KEYSPACE), log, logLength).run(messages, size, rate);
        } finally {
            factory.close();
            session.close();
        }
        System.exit(0);
    }

    void run(int messages, int size, int rate) throws Exception {
        System.out.printf(Locale.ROOT, "%,d mails of %,d bytes at %d/s into one Cassandra queue (%d shards), at most %d"
                + " enqueues in flight, %d consumers acknowledging%n", messages, size, rate, QueueSettings.DEFAULT.shards(),
            MAX_IN_FLIGHT, CONSUMERS);
        Timeline timeline = new Timeline(messages, rate);
        // Threads of their own, as James's spooler has: acknowledgements block, and must not hold up the enqueues'
        // serialisation, which runs on Reactor's shared bounded-elastic threads.
        Scheduler consumers = Schedulers.newBoundedElastic(CONSUMERS, Integer.MAX_VALUE, "soak-consumer", 60, true);
        // The consumer stays on to the end, as a node's spool would: its polls go on while the tables are compacted.
        Disposable consumer = consume(timeline, consumers);
        enqueue(timeline, size);
        awaitAcknowledged(timeline);
        report(timeline);
        awaitEmpty();
        reportDiskSizes(messages, size);
        reportTombstoneLines();
        consumer.dispose();
        consumers.dispose();
    }

    private Disposable consume(Timeline timeline, Scheduler consumers) {
        return Flux.from(queue.deQueue())
            .flatMap(item -> {
                int index = Integer.parseInt(item.getMail().getName());
                timeline.dequeued(index);
                return Mono.fromRunnable(() -> acknowledge(item, index, timeline)).subscribeOn(consumers);
            }, CONSUMERS)
            .subscribe(null, timeline::fail);
    }

    private static void acknowledge(MailQueueItem item, int index, Timeline timeline) {
        try {
            item.done(CompletionStatus.SUCCESS);
            LifecycleUtil.dispose(item.getMail());
            timeline.acknowledged(index);
        } catch (MailQueueException e) {
            timeline.fail(e);
        }
    }

    /**
     * Each enqueue is called at its time on the schedule, or as soon as one of the in-flight slots frees up: a queue
     * slower than the rate then shows as late calls and a lower rate, not as a silent backlog in this producer.
     */
    private void enqueue(Timeline timeline, int size) throws Exception {
        String body = Strings.repeat("x", Math.max(0, size - 200));
        Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
        timeline.start = timeline.now();
        for (int index = 0; index < timeline.messages; index++) {
            long wait = timeline.scheduled(index) - timeline.now();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            Mail mail = mail(index, body);
            inFlight.acquire();
            timeline.throwIfFailed();
            int enqueued = index;
            timeline.called.set(index, timeline.now());
            Mono.from(queue.enqueueReactive(mail))
                .doOnSuccess(done -> timeline.enqueued.set(enqueued, timeline.now()))
                .doFinally(signal -> {
                    LifecycleUtil.dispose(mail);
                    inFlight.release();
                })
                .subscribe(null, timeline::fail);
        }
        inFlight.acquire(MAX_IN_FLIGHT);
        timeline.enqueuesEnd = timeline.now();
    }

    private static Mail mail(int index, String body) throws Exception {
        String name = String.valueOf(index);
        return MailImpl.builder()
            .name(name)
            .sender("sender@soak.example")
            .addRecipient("rcpt@soak.example")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("soak " + name).setText(body))
            .build();
    }

    private static void awaitAcknowledged(Timeline timeline) throws InterruptedException {
        long deadline = timeline.now() + DRAIN_TIMEOUT.toNanos();
        while (timeline.acknowledgedCount.get() < timeline.messages) {
            timeline.throwIfFailed();
            if (timeline.now() > deadline) {
                throw new IllegalStateException(DRAIN_TIMEOUT + " after the last enqueue: " + timeline.counts());
            }
            Thread.sleep(100);
        }
        System.out.printf(Locale.ROOT, "all %,d acknowledged %.1f s after the last enqueue; dequeued more than once: %d%n",
            timeline.messages, (timeline.now() - timeline.enqueuesEnd) / 1e9, timeline.handedOutAgain.get());
    }

    private static void report(Timeline timeline) {
        System.out.println("ms from the enqueue call to the enqueue done (enq), to the mail dequeued (deq) and to the mail"
            + " acknowledged (ack, the latency); late: how far behind the schedule an enqueue was called, at worst");
        System.out.printf("%-13s %7s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s%n", "mails", "msg/s", "late", "enq p50",
            "enq p99", "enq max", "deq p50", "deq p99", "deq max", "ack p50", "ack p99", "ack max");
        for (int first = 0; first < timeline.messages; first += BUCKET) {
            int end = Math.min(first + BUCKET, timeline.messages);
            // A bucket lasts until the next one's first call; the last one until its last enqueue was done.
            long bucketEnd = end < timeline.messages ? timeline.called.get(end) : timeline.enqueuesEnd;
            long late = 0;
            for (int index = first; index < end; index++) {
                late = Math.max(late, timeline.called.get(index) - timeline.scheduled(index));
            }
            System.out.printf(Locale.ROOT, "%-13s %7.1f %8.1f %s %s %s%n", (first + 1) + "-" + end,
                (end - first) / ((bucketEnd - timeline.called.get(first)) / 1e9), late / 1e6,
                percentiles(timeline.sinceCalled(timeline.enqueued, first, end)),
                percentiles(timeline.sinceCalled(timeline.dequeued, first, end)),
                percentiles(timeline.sinceCalled(timeline.acknowledged, first, end)));
        }
    }

    private static String percentiles(long[] nanos) {
        Arrays.sort(nanos);
        return String.format(Locale.ROOT, "%8.1f %8.1f %8.1f", nanos[nanos.length / 2] / 1e6,
            nanos[Math.min(nanos.length - 1, (int) (nanos.length * 0.99))] / 1e6, nanos[nanos.length - 1] / 1e6);
    }

    /** Every mail is acknowledged, so a browse of every shard must find nothing: a row left behind would show here. */
    private void awaitEmpty() throws MailQueueException, InterruptedException {
        long deadline = System.nanoTime() + EMPTY_TIMEOUT.toNanos();
        long size;
        while ((size = queue.getSize()) > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the queue still holds " + size + " mails " + EMPTY_TIMEOUT
                    + " after the last acknowledgement");
            }
            Thread.sleep(1000);
        }
        System.out.println("queue size: 0");
    }

    private void reportDiskSizes(int messages, int size) throws IOException, JMException, InterruptedException {
        flush();
        Map<String, Long> flushed = diskSizes();
        compact();
        Map<String, Long> compacted = diskSizes();
        // A tombstone stays until gc_grace_seconds has passed (3 hours for the slice, mail and blob tables, Cassandra's
        // 10 days for the others): no compaction during a soak may purge one. With 0, a compaction leaves what is live.
        for (String table : TABLES) {
            session.execute("ALTER TABLE " + table + " WITH gc_grace_seconds = 0");
        }
        flush();
        compact();
        Map<String, Long> purged = diskSizes();

        System.out.printf(Locale.ROOT, "on-disk size of the queue tables, KiB (%,d mails x %,d bytes = %.1f MiB went"
            + " through the queue):%n", messages, size, (double) messages * size / (1 << 20));
        System.out.printf("%-28s %12s %12s %22s%n", "table", "flushed", "compacted", "gc_grace 0, compacted");
        for (String table : TABLES) {
            System.out.printf(Locale.ROOT, "%-28s %12.1f %12.1f %22.1f%n", table, flushed.get(table) / 1024.0,
                compacted.get(table) / 1024.0, purged.get(table) / 1024.0);
        }
        System.out.printf(Locale.ROOT, "%-28s %12.1f %12.1f %22.1f%n", "total", total(flushed) / 1024.0,
            total(compacted) / 1024.0, total(purged) / 1024.0);
        System.out.println("(gc_grace_seconds was set to 0 for the last column only, to show that what the compaction"
            + " before had left was nothing but tombstones; in production slices, mails and blobs keep 3 hours)");
    }

    private static long total(Map<String, Long> sizes) {
        return sizes.values().stream().mapToLong(Long::longValue).sum();
    }

    /** {@code nodetool flush}: the memtables written out, so that the files hold every row and tombstone. */
    private void flush() throws IOException, JMException {
        cassandra.invoke(new ObjectName(STORAGE_SERVICE), "forceKeyspaceFlush", new Object[] {KEYSPACE, new String[0]},
            new String[] {String.class.getName(), String[].class.getName()});
    }

    /** {@code nodetool compact}: a major compaction, every SSTable of each table into one; returns when it is done. */
    private void compact() throws IOException, JMException {
        cassandra.invoke(new ObjectName(STORAGE_SERVICE), "forceKeyspaceCompaction",
            new Object[] {false, KEYSPACE, new String[0]},
            new String[] {boolean.class.getName(), String.class.getName(), String[].class.getName()});
    }

    /**
     * Bytes in each queue table's directory ({@code <table>-<id>}); snapshots and backups, in subdirectories, are not
     * counted. Cassandra deletes the SSTables a compaction replaced once no read holds them any more, and their
     * transaction log ({@code nb_txn_compaction_*.log}) after them: sizes are taken once no such log is left, or the
     * replaced SSTables would be counted beside their replacement.
     */
    private Map<String, Long> diskSizes() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        while (tableFiles().stream().anyMatch(QueueSoak::isTransactionLog)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Cassandra's transactions on " + keyspaceDirectory + " still open after "
                    + SETTLE_TIMEOUT);
            }
            Thread.sleep(100);
        }
        Map<String, Long> sizes = new LinkedHashMap<>();
        TABLES.forEach(table -> sizes.put(table, 0L));
        for (Path file : tableFiles()) {
            String directory = file.getParent().getFileName().toString();
            String table = directory.substring(0, Math.max(0, directory.lastIndexOf('-')));
            if (sizes.containsKey(table)) {
                sizes.merge(table, sizeOf(file), Long::sum);
            }
        }
        return sizes;
    }

    private static boolean isTransactionLog(Path file) {
        String name = file.getFileName().toString();
        return name.contains("txn_") && name.endsWith(".log");
    }

    private static long sizeOf(Path file) throws IOException {
        try {
            return Files.isRegularFile(file) ? Files.size(file) : 0;
        } catch (NoSuchFileException e) {
            // An SSTable that a compaction Cassandra started on its own replaced since it was listed: it is gone.
            return 0;
        }
    }

    /** The files of every table directory, listed without reading their attributes: Cassandra may delete any meanwhile. */
    private List<Path> tableFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> directories = Files.list(keyspaceDirectory)) {
            for (Path directory : directories.toList()) {
                try (Stream<Path> inDirectory = Files.list(directory)) {
                    inDirectory.forEach(files::add);
                }
            }
        }
        return files;
    }

    /**
     * Cassandra logs a warning when a read meets more tombstones than its tombstone_warn_threshold (1,000 by default),
     * when a compaction writes too many into one partition, and so on: the soak must cause none. The lines before it
     * show that the word is found at all (the node's configuration, logged at start-up, names the thresholds).
     */
    private void reportTombstoneLines() throws IOException {
        byte[] log = Files.readAllBytes(cassandraLog);
        int split = (int) logLengthBefore;
        List<String> before = new String(log, 0, split, UTF_8).lines().toList();
        List<String> since = new String(log, split, log.length - split, UTF_8).lines().toList();
        List<String> tombstonesBefore = before.stream().filter(QueueSoak::mentionsTombstones).toList();
        List<String> tombstonesSince = since.stream().filter(QueueSoak::mentionsTombstones).toList();
        System.out.printf("Cassandra's log (%s): %d lines before the soak, %d of them mention tombstones; %d lines since,"
                + " %d of them mention tombstones%n", cassandraLog, before.size(), tombstonesBefore.size(), since.size(),
            tombstonesSince.size());
        tombstonesBefore.stream().limit(LOG_LINES_SHOWN).forEach(line -> System.out.println("  before: " + excerpt(line)));
        tombstonesSince.stream().limit(LOG_LINES_SHOWN).forEach(line -> System.out.println("  since: " + excerpt(line)));
    }

    private static boolean mentionsTombstones(String line) {
        return line.toLowerCase(Locale.ROOT).contains("tombstone");
    }

    /** A long line (the node's configuration at start-up is one line) cut to its start and the words around the match. */
    private static String excerpt(String line) {
        if (line.length() <= EXCERPT) {
            return line;
        }
        int match = line.toLowerCase(Locale.ROOT).indexOf("tombstone");
        int from = Math.max(EXCERPT / 3, match - EXCERPT / 3);
        int to = Math.min(line.length(), from + 2 * EXCERPT / 3);
        return line.substring(0, EXCERPT / 3) + " ... " + line.substring(from, to) + " ...";
    }

    /**
     * When each mail was where, in nanoseconds since the soak began (0: not yet), indexed by enqueue order, written by
     * the producer's and the consumers' threads.
     */
    private static final class Timeline {
        private final long origin = System.nanoTime() - 1;
        private final int messages;
        private final int rate;
        private final AtomicLongArray called;
        private final AtomicLongArray enqueued;
        private final AtomicLongArray dequeued;
        private final AtomicLongArray acknowledged;
        private final AtomicInteger dequeuedCount = new AtomicInteger();
        private final AtomicInteger acknowledgedCount = new AtomicInteger();
        private final AtomicInteger handedOutAgain = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private long start;
        private long enqueuesEnd;

        Timeline(int messages, int rate) {
            this.messages = messages;
            this.rate = rate;
            this.called = new AtomicLongArray(messages);
            this.enqueued = new AtomicLongArray(messages);
            this.dequeued = new AtomicLongArray(messages);
            this.acknowledged = new AtomicLongArray(messages);
        }

        long now() {
            return System.nanoTime() - origin;
        }

        long scheduled(int index) {
            return start + index * 1_000_000_000L / rate;
        }

        /** A mail handed out again keeps the time of its first dequeue, and is counted. */
        void dequeued(int index) {
            if (dequeued.compareAndSet(index, 0, now())) {
                dequeuedCount.incrementAndGet();
            } else {
                handedOutAgain.incrementAndGet();
            }
        }

        void acknowledged(int index) {
            if (acknowledged.compareAndSet(index, 0, now())) {
                acknowledgedCount.incrementAndGet();
            }
        }

        long[] sinceCalled(AtomicLongArray stage, int first, int end) {
            long[] nanos = new long[end - first];
            for (int index = first; index < end; index++) {
                nanos[index - first] = stage.get(index) - called.get(index);
            }
            return nanos;
        }

        void fail(Throwable error) {
            failure.compareAndSet(null, error);
        }

        void throwIfFailed() {
            Throwable error = failure.get();
            if (error != null) {
                throw new IllegalStateException("the soak failed: " + counts(), error);
            }
        }

        String counts() {
            return String.format(Locale.ROOT, "%d of %d mails dequeued, %d acknowledged", dequeuedCount.get(), messages,
                acknowledgedCount.get());
        }
    }
}
