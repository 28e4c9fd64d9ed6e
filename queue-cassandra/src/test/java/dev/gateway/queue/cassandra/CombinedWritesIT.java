package dev.gateway.queue.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@link CombinedWrites} on a real Cassandra: writes asked at once go in fewer requests, each completes only once
 * written, and a request's error reaches every write it carried. Requests are Cassandra's own count for the session's
 * connections ({@code system_views.clients}), rows are read back.
 */
class CombinedWritesIT {

    private static final String KEYSPACE = "queue_combined_writes";

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    private static CqlSession session;
    private static CqlSession counting;
    private static PreparedStatement insert;

    @BeforeAll
    static void openSession() {
        session = CASSANDRA.server().session(KEYSPACE, QueueTables.MODULE);
        counting = CASSANDRA.server().session(KEYSPACE + "_counting", QueueTables.MODULE);
        insert = session.prepare("INSERT INTO " + QueueTables.BLOBS + " (" + QueueTables.BLOB_ID + ", " + QueueTables.CHUNK
            + ", " + QueueTables.DATA + ") VALUES (?, ?, ?)");
    }

    @AfterAll
    static void closeSession() {
        session.close();
        counting.close();
    }

    @Test
    void writesAskedAtOnceGoInFewerRequestsAndAreAllWritten() {
        Gate gate = new Gate();
        UUID blob = UUID.randomUUID();
        int count = 50;
        long before = requests();

        List<Mono<Void>> all = IntStream.range(0, count)
            .mapToObj(chunk -> gate.writes.write(insert.bind(blob, chunk, ByteBuffer.wrap(new byte[100])), 300))
            .toList();
        Mono<Void> done = Flux.merge(all).then().cache();
        done.subscribe();
        gate.open();
        done.block();

        assertThat(chunks(blob)).hasSize(count);
        // Two went at once (held at the gate); the 48 others waited and went ten by ten as requests were answered.
        assertThat(requests() - before).as("requests for %d writes asked at once", count).isEqualTo(7);
    }

    @Test
    void aBatchStaysWithinItsBoundAndALargerWriteGoesAlone() {
        Gate gate = new Gate();
        UUID blob = UUID.randomUUID();
        long before = requests();

        // Two small writes take the two requests; then wait three of 12 KiB (two fit in 32 KiB, the third goes
        // next) and one of 40 KiB (alone). All in one batch, 77 KiB, Cassandra would refuse (50 KiB by default).
        List<Mono<Void>> all = new ArrayList<>();
        all.add(gate.writes.write(insert.bind(blob, 0, ByteBuffer.wrap(new byte[10])), 300));
        all.add(gate.writes.write(insert.bind(blob, 1, ByteBuffer.wrap(new byte[10])), 300));
        for (int chunk = 2; chunk < 5; chunk++) {
            all.add(gate.writes.write(insert.bind(blob, chunk, ByteBuffer.wrap(new byte[12 * 1024])), 12 * 1024 + 300));
        }
        all.add(gate.writes.write(insert.bind(blob, 5, ByteBuffer.wrap(new byte[40 * 1024])), 40 * 1024 + 300));
        Mono<Void> done = Flux.merge(all).then().cache();
        done.subscribe();
        gate.open();
        done.block();

        assertThat(chunks(blob)).hasSize(6);
        assertThat(requests() - before).as("requests: two alone, [12, 12], [12], [40]").isEqualTo(5);
    }

    @Test
    void anErrorOfTheRequestIsTheErrorOfEveryWriteInIt() {
        Gate gate = new Gate();
        UUID blob = UUID.randomUUID();

        // Two go at once and hold both requests; the three after them go together, one without its key: Cassandra
        // refuses the whole batch, and each of the three writes fails with its answer.
        List<Mono<Throwable>> outcomes = List.of(
            outcome(gate.writes.write(insert.bind(blob, 0, ByteBuffer.wrap(new byte[10])), 300)),
            outcome(gate.writes.write(insert.bind(blob, 1, ByteBuffer.wrap(new byte[10])), 300)),
            outcome(gate.writes.write(insert.bind(blob, 2, ByteBuffer.wrap(new byte[10])), 300)),
            outcome(gate.writes.write(insert.bind(null, 3, ByteBuffer.wrap(new byte[10])), 300)),
            outcome(gate.writes.write(insert.bind(blob, 4, ByteBuffer.wrap(new byte[10])), 300)));
        Mono<List<Throwable>> all = Flux.mergeSequential(outcomes).collectList().cache();
        all.subscribe();
        gate.open();

        List<Throwable> answers = all.block();
        assertThat(answers.subList(0, 2)).allSatisfy(answer -> assertThat(answer).hasMessage("written"));
        assertThat(answers.subList(2, 5)).allSatisfy(answer -> assertThat(answer).isInstanceOf(InvalidQueryException.class));
        assertThat(chunks(blob)).containsExactlyInAnyOrder(0, 1);
    }

    /** Combined writes whose requests wait until the gate opens: the ones asked meanwhile are held by the two out. */
    private static final class Gate {
        private final CompletableFuture<Void> opened = new CompletableFuture<>();
        final CombinedWrites writes = new CombinedWrites(statement -> opened.thenCompose(any -> session.executeAsync(statement)));

        void open() {
            opened.complete(null);
        }
    }

    /** The write's error, or an error saying "written" when it succeeded (so that an assertion names it). */
    private static Mono<Throwable> outcome(Mono<Void> write) {
        return write.then(Mono.<Throwable>fromSupplier(() -> new AssertionError("written")))
            .onErrorResume(Mono::just);
    }

    private static List<Integer> chunks(UUID blob) {
        return counting.execute("SELECT " + QueueTables.CHUNK + " FROM " + KEYSPACE + "." + QueueTables.BLOBS + " WHERE "
            + QueueTables.BLOB_ID + " = ?", blob).all().stream().map(row -> row.getInt(0)).toList();
    }

    /** Requests on this keyspace's connections, read on the counting session's (bound to another keyspace). */
    private static long requests() {
        return CassandraCounts.requests(counting, KEYSPACE);
    }
}
