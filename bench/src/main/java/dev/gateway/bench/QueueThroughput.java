package dev.gateway.bench;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;

import com.datastax.oss.driver.api.core.CqlSession;
import com.google.common.base.Strings;

import dev.gateway.queue.cassandra.CassandraConnection;
import dev.gateway.queue.cassandra.CassandraMailQueueFactory;
import dev.gateway.queue.cassandra.QueueSettings;
import dev.gateway.queue.cassandra.QueueTables;
import dev.gateway.queue.memory.HeapMailQueueFactory;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Enqueue and dequeue throughput and end-to-end latency (enqueue called to dequeued mail acknowledged) of James's
 * memory queue, Gateway's heap queue (the memory profile's) and Gateway's Cassandra queue, side by side in one run. Run by {@code bench/queue-throughput}.
 *
 * <p>Arguments: {@code MESSAGES SIZE_BYTES PRODUCERS CONSUMERS CASSANDRA_PORT} (0: no Cassandra).
 */
public final class QueueThroughput {

    private static final int PACED_RATE = 50;

    private QueueThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int messages = Integer.parseInt(args[0]);
        int size = Integer.parseInt(args[1]);
        int producers = Integer.parseInt(args[2]);
        int consumers = Integer.parseInt(args[3]);
        int cassandraPort = Integer.parseInt(args[4]);

        // Interleaved: every queue sees the same state of the machine. A Cassandra port of 0 leaves Cassandra out.
        Map<String, MailQueueFactory<?>> queues = new LinkedHashMap<>();
        queues.put("james-mem", new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), Clock.systemUTC()));
        queues.put("heap", new HeapMailQueueFactory(Clock.systemUTC(), new RawMailQueueItemDecoratorFactory()));
        CqlSession session = null;
        CassandraMailQueueFactory cassandra = null;
        if (cassandraPort > 0) {
            session = new CassandraConnection(List.of(new InetSocketAddress("127.0.0.1", cassandraPort)), "datacenter1",
                "queue_bench", 1, Duration.ofSeconds(20)).open(QueueTables.MODULE);
            cassandra = new CassandraMailQueueFactory(session, QueueSettings.DEFAULT, Clock.systemUTC(),
                new RawMailQueueItemDecoratorFactory());
            queues.put("cassandra", cassandra);
        }

        System.out.printf("%d messages of %d bytes, %d producers, %d consumers (rounds 1-2 warm up, rounds 3-4 are reported;"
            + " then a quarter as many at a steady %d/s, for latency without a backlog)%n", messages, size, producers, consumers,
            PACED_RATE);
        System.out.printf("%-10s %6s %14s %18s %10s %10s %10s%n", "queue", "round", "enqueue msg/s", "enq+deq msg/s",
            "p50 ms", "p99 ms", "max ms");
        for (int round = 1; round <= 4; round++) {
            for (Map.Entry<String, MailQueueFactory<?>> queue : queues.entrySet()) {
                Result result = run(queue.getValue(), "bench-" + queue.getKey() + "-" + round, messages, size, producers, consumers, 0);
                if (round > 2) {
                    report(queue.getKey(), String.valueOf(round), result);
                }
            }
        }
        // Latency without a backlog: mail arrives at a steady PACED_RATE, well below every queue's capacity.
        int paced = Math.max(100, messages / 4);
        for (Map.Entry<String, MailQueueFactory<?>> queue : queues.entrySet()) {
            report(queue.getKey(), PACED_RATE + "/s", run(queue.getValue(), "bench-" + queue.getKey() + "-paced", paced, size,
                producers, consumers, PACED_RATE));
        }
        if (cassandra != null) {
            cassandra.close();
            session.close();
        }
        System.exit(0);
    }

    private record Result(double enqueueRate, double throughput, long[] latenciesMicros) {
    }

    /** {@code rate}: messages per second to enqueue, 0 for as fast as the producers can. */
    private static Result run(MailQueueFactory<?> factory, String name, int messages, int size, int producers, int consumers,
                              int rate) throws Exception {
        MailQueue queue = factory.createQueue(MailQueueName.of(name));
        String body = Strings.repeat("x", Math.max(0, size - 200));
        Map<String, Long> enqueuedAt = new ConcurrentHashMap<>();
        long[] latencies = new long[messages];
        CountDownLatch done = new CountDownLatch(messages);
        java.util.concurrent.atomic.AtomicInteger index = new java.util.concurrent.atomic.AtomicInteger();

        reactor.core.Disposable consumer = Flux.from(queue.deQueue())
            .flatMap(item -> Mono.fromRunnable(() -> {
                try {
                    item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
                    Long start = enqueuedAt.get(item.getMail().getName());
                    LifecycleUtil.dispose(item.getMail());
                    latencies[index.getAndIncrement()] = (System.nanoTime() - start) / 1000;
                    done.countDown();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).subscribeOn(Schedulers.boundedElastic()), consumers)
            .subscribe();

        long start = System.nanoTime();
        Flux<Integer> numbers = Flux.range(0, messages);
        if (rate > 0) {
            numbers = numbers.delayElements(Duration.ofNanos(1_000_000_000L / rate));
        }
        numbers
            .flatMap(i -> Mono.fromCallable(() -> mail(name + "-" + i, body))
                .flatMap(mail -> {
                    enqueuedAt.put(mail.getName(), System.nanoTime());
                    return Mono.from(queue.enqueueReactive(mail)).then(Mono.fromRunnable(() -> LifecycleUtil.dispose(mail)));
                })
                .subscribeOn(Schedulers.boundedElastic()), producers)
            .blockLast();
        long enqueued = System.nanoTime();
        if (!done.await(30, TimeUnit.MINUTES)) {
            throw new IllegalStateException("only " + (messages - done.getCount()) + " of " + messages + " dequeued");
        }
        long end = System.nanoTime();
        consumer.dispose();
        long[] sorted = Arrays.copyOf(latencies, messages);
        Arrays.sort(sorted);
        return new Result(messages / ((enqueued - start) / 1e9), messages / ((end - start) / 1e9), sorted);
    }

    private static Mail mail(String name, String body) throws Exception {
        return MailImpl.builder()
            .name(name)
            .sender("sender@bench.example")
            .addRecipient("rcpt@bench.example")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject(name).setText(body))
            .build();
    }

    private static void report(String queue, String round, Result result) {
        long[] latencies = result.latenciesMicros();
        System.out.printf("%-10s %6s %14.0f %18.0f %10.1f %10.1f %10.1f%n", queue, round, result.enqueueRate(),
            result.throughput(), latencies[latencies.length / 2] / 1000.0, latencies[(int) (latencies.length * 0.99)] / 1000.0,
            latencies[latencies.length - 1] / 1000.0);
    }
}
