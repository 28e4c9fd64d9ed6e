package dev.gateway.queue.cassandra;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.Statement;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The queue's plain writes of one mail row each (a mail's row, its {@code taken} mark, its delete), sent together when
 * they come at once: at most {@link #IN_FLIGHT} requests are out, and the writes asked meanwhile wait for one of them to
 * be answered and then go as one unlogged batch. A write asked while the node is idle goes at once, alone.
 *
 * <p>Why: on the cluster profile every request costs CPU in the gateway (the driver, Netty) and in Cassandra (the
 * native protocol, CQL, its metrics) whatever it carries, and most of the queue's work per mail was three such
 * requests of a few hundred bytes to a few KB (docs/benchmarks.md). Under load, enqueues, marks and deletes overlap,
 * and one request carries several.
 *
 * <p>What it keeps: each write completes when the request carrying it is answered, so an enqueue still returns only
 * once its row is written at the session's consistency level (the promise behind a 250), and an error of the
 * request is each of its writes' error, as when each went alone. The rows of a batch are independent (a batch is not
 * logged: a batch applied in part is some rows written, as separate writes could be); their partitions differ, so
 * Cassandra applies each as its own mutation. A batch is bounded by {@link #MAX_WRITES} rows (Cassandra warns about an
 * unlogged batch over more than 10 partitions) and {@link #MAX_BYTES} (it refuses a batch over several partitions
 * larger than {@code batch_size_fail_threshold}, 50 KiB by default); a write larger than that goes alone.
 */
final class CombinedWrites {

    static final int IN_FLIGHT = 2;
    static final int MAX_WRITES = 10;
    static final int MAX_BYTES = 32 * 1024;

    private final Function<Statement<?>, CompletionStage<AsyncResultSet>> execute;
    private final Deque<Write> waiting = new ArrayDeque<>();
    private int inFlight;

    CombinedWrites(CqlSession session) {
        this(session::executeAsync);
    }

    /** Sends requests through {@code execute}: a test holds the first ones back to make others wait. */
    CombinedWrites(Function<Statement<?>, CompletionStage<AsyncResultSet>> execute) {
        this.execute = execute;
    }

    /** Writes {@code statement}, about {@code bytes} long, alone or with others asked at the same time. */
    Mono<Void> write(BatchableStatement<?> statement, int bytes) {
        return Mono.defer(() -> {
            Write write = new Write(statement, bytes, Sinks.empty());
            boolean now;
            synchronized (this) {
                now = inFlight < IN_FLIGHT;
                if (now) {
                    inFlight++;
                } else {
                    waiting.add(write);
                }
            }
            if (now) {
                send(List.of(write));
            }
            return write.done.asMono();
        });
    }

    private void send(List<Write> writes) {
        Statement<?> request = writes.size() == 1
            ? writes.get(0).statement
            : BatchStatement.newInstance(BatchType.UNLOGGED, writes.stream().<BatchableStatement<?>>map(Write::statement).toList());
        Mono.fromCompletionStage(() -> execute.apply(request))
            .subscribe(any -> { }, error -> answered(writes, error), () -> answered(writes, null));
    }

    private void answered(List<Write> writes, Throwable error) {
        List<Write> next = new ArrayList<>();
        synchronized (this) {
            int bytes = 0;
            while (!waiting.isEmpty() && next.size() < MAX_WRITES
                && (next.isEmpty() || bytes + waiting.peek().bytes <= MAX_BYTES)) {
                Write write = waiting.poll();
                bytes += write.bytes;
                next.add(write);
            }
            if (next.isEmpty()) {
                inFlight--;
            }
        }
        if (!next.isEmpty()) {
            send(next);
        }
        for (Write write : writes) {
            if (error == null) {
                write.done.tryEmitEmpty();
            } else {
                write.done.tryEmitError(error);
            }
        }
    }

    private record Write(BatchableStatement<?> statement, int bytes, Sinks.Empty<Void> done) {
    }
}
