package dev.gateway.storage.cassandra;

import static com.datastax.oss.driver.api.core.type.DataTypes.BIGINT;
import static com.datastax.oss.driver.api.querybuilder.QueryBuilder.bindMarker;
import static com.datastax.oss.driver.api.querybuilder.QueryBuilder.insertInto;
import static com.datastax.oss.driver.api.querybuilder.QueryBuilder.selectFrom;
import static com.datastax.oss.driver.api.querybuilder.QueryBuilder.update;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentMap;

import org.apache.james.backends.cassandra.components.CassandraModule;
import org.apache.james.backends.cassandra.init.configuration.JamesExecutionProfiles;
import org.apache.james.mailbox.cassandra.table.CassandraMessageModseqTable;
import org.apache.james.mailbox.cassandra.table.CassandraMessageUidTable;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DriverExecutionProfile;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.type.DataTypes;
import com.google.common.cache.CacheBuilder;
import com.google.common.cache.CacheLoader;
import com.google.common.cache.LoadingCache;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A mailbox's last UID and last mod-sequence, kept in one row of {@code gateway_mailbox_sequences} and advanced by
 * one conditional update: an appended message gets both in one lightweight transaction.
 *
 * <p>James 3.8.1 keeps them in two tables ({@code messageCounter}, {@code modseq}) and advances each with a
 * lightweight transaction of its own: two Paxos rounds for every message stored, each with its reads and its writes
 * to {@code system.paxos}, the largest part of Cassandra's work per delivered message (docs/benchmarks.md). In one
 * row, one round gives both.
 *
 * <p>An allocation starts from the values this node saw last for the mailbox (a plain read the first time it meets
 * it) and updates with {@code IF last_uid = ? AND last_modseq = ?}. When the condition fails Cassandra answers with
 * the row's current values, and the allocation tries again at once from them. Remembered values only ever lag the
 * row (they are values it had, and both only grow), so a stale guess costs one failed update, never a duplicate; a
 * value is given out only once its update has applied. One node delivering: at most one lightweight transaction per
 * message, flag change or copy, and allocations asked at once in one mailbox share one; several nodes racing for
 * one mailbox: one more per lost race. Every value given is
 * distinct and ascending, UIDs and mod-sequences alike, as James's two counters gave them.
 *
 * <p>A mailbox that has no row yet continues from James's two counters (a keyspace written before this table, by
 * Gateway or by James): the first allocation reads them and creates the row with {@code IF NOT EXISTS}. From then on
 * James's rows are not written any more, so every node on a keyspace must run this code; a node of an older Gateway
 * would give out UIDs again (docs/storage-cassandra.md, "Consistency").
 */
public final class MailboxSequences {

    static final String TABLE = "gateway_mailbox_sequences";
    private static final CqlIdentifier MAILBOX_ID = CqlIdentifier.fromCql("mailbox_id");
    private static final CqlIdentifier LAST_UID = CqlIdentifier.fromCql("last_uid");
    private static final CqlIdentifier LAST_MODSEQ = CqlIdentifier.fromCql("last_modseq");
    private static final CqlIdentifier EXPECTED_UID = CqlIdentifier.fromCql("expected_uid");
    private static final CqlIdentifier EXPECTED_MODSEQ = CqlIdentifier.fromCql("expected_modseq");

    public static final CassandraModule MODULE = CassandraModule.builder()
        .table(TABLE)
        .comment("Gateway: the last UID and last mod-sequence given in each mailbox, advanced together by one"
            + " lightweight transaction")
        .statement(statement -> types -> statement
            .withPartitionKey(MAILBOX_ID, DataTypes.UUID)
            .withColumn(LAST_UID, BIGINT)
            .withColumn(LAST_MODSEQ, BIGINT))
        .build();

    /** Mailboxes whose last values a node remembers: a few hundred bytes each. */
    static final long REMEMBERED_MAILBOXES = 10_000;
    /** Updates tried at once with the values the last one returned, before the allocation reports a lost race. */
    static final int ATTEMPTS = 5;

    /** The last UID and the last mod-sequence given in a mailbox; 0 where none was given. */
    public record Given(long uid, long modSeq) {
        Given plus(int uids, int modSeqs) {
            return new Given(uid + uids, modSeq + modSeqs);
        }

        /** The later of two states of one row: both values only grow, so it is the larger in each. */
        Given latest(Given other) {
            return new Given(Math.max(uid, other.uid), Math.max(modSeq, other.modSeq));
        }
    }

    private final CqlSession session;
    private final DriverExecutionProfile serial;
    private final PreparedStatement select;
    private final PreparedStatement insert;
    private final PreparedStatement update;
    private final PreparedStatement selectJamesUid;
    private final PreparedStatement selectJamesModSeq;
    private final ConcurrentMap<UUID, Given> lastSeen;
    private final LoadingCache<UUID, Combined> combined;

    public MailboxSequences(CqlSession session) {
        this(session, REMEMBERED_MAILBOXES);
    }

    MailboxSequences(CqlSession session, long rememberedMailboxes) {
        this.session = session;
        this.serial = JamesExecutionProfiles.getLWTProfile(session);
        this.select = session.prepare(selectFrom(TABLE).column(LAST_UID).column(LAST_MODSEQ)
            .whereColumn(MAILBOX_ID).isEqualTo(bindMarker(MAILBOX_ID)).build());
        this.insert = session.prepare(insertInto(TABLE)
            .value(MAILBOX_ID, bindMarker(MAILBOX_ID))
            .value(LAST_UID, bindMarker(LAST_UID))
            .value(LAST_MODSEQ, bindMarker(LAST_MODSEQ))
            .ifNotExists().build());
        this.update = session.prepare(update(TABLE)
            .setColumn(LAST_UID, bindMarker(LAST_UID))
            .setColumn(LAST_MODSEQ, bindMarker(LAST_MODSEQ))
            .whereColumn(MAILBOX_ID).isEqualTo(bindMarker(MAILBOX_ID))
            .ifColumn(LAST_UID).isEqualTo(bindMarker(EXPECTED_UID))
            .ifColumn(LAST_MODSEQ).isEqualTo(bindMarker(EXPECTED_MODSEQ)).build());
        this.selectJamesUid = session.prepare(selectFrom(CassandraMessageUidTable.TABLE_NAME)
            .column(CassandraMessageUidTable.NEXT_UID)
            .whereColumn(CassandraMessageUidTable.MAILBOX_ID).isEqualTo(bindMarker()).build());
        this.selectJamesModSeq = session.prepare(selectFrom(CassandraMessageModseqTable.TABLE_NAME)
            .column(CassandraMessageModseqTable.NEXT_MODSEQ)
            .whereColumn(CassandraMessageModseqTable.MAILBOX_ID).isEqualTo(bindMarker()).build());
        this.lastSeen = CacheBuilder.newBuilder().maximumSize(rememberedMailboxes)
            .<UUID, Given>build().asMap();
        // A mailbox evicted while its allocations run only loses their combining: the transaction keeps them exact.
        this.combined = CacheBuilder.newBuilder().maximumSize(rememberedMailboxes)
            .build(CacheLoader.from(Combined::new));
    }

    /**
     * Gives out the next {@code uids} UIDs and the next {@code modSeqs} mod-sequences of the mailbox (each 0 or more)
     * and returns the highest of each after it: the values given are the ones up to those. Fails with a
     * {@link NoSuchElementException} when other allocations won all of its {@link #ATTEMPTS} attempts: a lost race,
     * retried by the caller.
     *
     * <p>On one node, allocations of one mailbox run one transaction at a time: those asked while one is in flight
     * wait for it and then share the next, each getting its own consecutive part of the values it gives (in the order
     * they were asked). Without this, concurrent deliveries into one mailbox raced each other through Paxos and the
     * losers ran a second transaction (1.13 per delivered message in the benchmark: docs/benchmarks.md).
     */
    public Mono<Given> advance(UUID mailbox, int uids, int modSeqs) {
        return Mono.defer(() -> combined.getUnchecked(mailbox).ask(uids, modSeqs));
    }

    /** One transaction for {@code uids} and {@code modSeqs}, from the values this node saw last. */
    private Mono<Given> transaction(UUID mailbox, int uids, int modSeqs) {
        return Mono.defer(() -> {
            Given seen = lastSeen.get(mailbox);
            Mono<Optional<Given>> start = seen != null ? Mono.just(Optional.of(seen)) : stored(mailbox, false);
            return start.flatMap(expected -> attempt(mailbox, expected, uids, modSeqs, ATTEMPTS));
        });
    }

    /** The allocations of one mailbox on this node: one transaction in flight, the ones asked meanwhile wait for the next. */
    private final class Combined {
        private final UUID mailbox;
        private List<Wanted> waiting = new ArrayList<>();
        private boolean running;

        Combined(UUID mailbox) {
            this.mailbox = mailbox;
        }

        Mono<Given> ask(int uids, int modSeqs) {
            Wanted wanted = new Wanted(uids, modSeqs, Sinks.one());
            boolean start;
            synchronized (this) {
                waiting.add(wanted);
                start = !running;
                running = true;
            }
            if (start) {
                next();
            }
            return wanted.answer.asMono();
        }

        private void next() {
            List<Wanted> round;
            synchronized (this) {
                if (waiting.isEmpty()) {
                    running = false;
                    return;
                }
                round = waiting;
                waiting = new ArrayList<>();
            }
            int uids = round.stream().mapToInt(Wanted::uids).sum();
            int modSeqs = round.stream().mapToInt(Wanted::modSeqs).sum();
            transaction(mailbox, uids, modSeqs).subscribe(
                last -> {
                    next();
                    // Each gets its part, in the order asked: the first the lowest values.
                    Given upTo = last.plus(-uids, -modSeqs);
                    for (Wanted wanted : round) {
                        upTo = upTo.plus(wanted.uids(), wanted.modSeqs());
                        wanted.answer.tryEmitValue(upTo);
                    }
                },
                error -> {
                    next();
                    round.forEach(wanted -> wanted.answer.tryEmitError(error));
                });
        }
    }

    private record Wanted(int uids, int modSeqs, Sinks.One<Given> answer) {
    }

    /**
     * The last values given in the mailbox, read at {@code SERIAL} when {@code strong} (James's
     * {@code uid.read.strong.consistency.unsafe}, {@code modseq.read.strong.consistency.unsafe}).
     */
    public Mono<Given> last(UUID mailbox, boolean strong) {
        return stored(mailbox, strong).flatMap(given -> given.map(Mono::just).orElseGet(() -> james(mailbox, strong)));
    }

    private Mono<Optional<Given>> stored(UUID mailbox, boolean strong) {
        BoundStatement statement = select.bind().setUuid(MAILBOX_ID, mailbox);
        return execute(strong ? statement.setExecutionProfile(serial) : statement)
            .map(result -> Optional.ofNullable(result.one()).flatMap(MailboxSequences::valuesIn));
    }

    /** Where a mailbox without a row of ours continues from: James's two counters, 0 where they have no row. */
    private Mono<Given> james(UUID mailbox, boolean strong) {
        return Mono.zip(
            counter(selectJamesUid.bind(mailbox), CassandraMessageUidTable.NEXT_UID, strong),
            counter(selectJamesModSeq.bind(mailbox), CassandraMessageModseqTable.NEXT_MODSEQ, strong),
            Given::new);
    }

    private Mono<Long> counter(BoundStatement statement, CqlIdentifier column, boolean strong) {
        return execute(strong ? statement.setExecutionProfile(serial) : statement)
            .map(result -> Optional.ofNullable(result.one())
                .filter(row -> !row.isNull(column))
                .map(row -> row.getLong(column))
                .orElse(0L));
    }

    private Mono<Given> attempt(UUID mailbox, Optional<Given> expected, int uids, int modSeqs,
                                int attemptsLeft) {
        if (expected.isEmpty()) {
            // No row of ours: the first allocation continues James's counters. It can read them at QUORUM: the
            // insert's condition makes a concurrent first allocation lose, and they are no longer written.
            return james(mailbox, false).flatMap(base -> insert(mailbox, base.plus(uids, modSeqs), uids, modSeqs,
                attemptsLeft));
        }
        Given next = expected.get().plus(uids, modSeqs);
        return execute(update.bind()
                .setLong(LAST_UID, next.uid()).setLong(LAST_MODSEQ, next.modSeq())
                .setUuid(MAILBOX_ID, mailbox)
                .setLong(EXPECTED_UID, expected.get().uid()).setLong(EXPECTED_MODSEQ, expected.get().modSeq()))
            .flatMap(result -> settle(mailbox, result, next, uids, modSeqs, attemptsLeft));
    }

    private Mono<Given> insert(UUID mailbox, Given next, int uids, int modSeqs, int attemptsLeft) {
        return execute(insert.bind().setUuid(MAILBOX_ID, mailbox)
                .setLong(LAST_UID, next.uid()).setLong(LAST_MODSEQ, next.modSeq()))
            .flatMap(result -> settle(mailbox, result, next, uids, modSeqs, attemptsLeft));
    }

    private Mono<Given> settle(UUID mailbox, AsyncResultSet result, Given next, int uids, int modSeqs,
                               int attemptsLeft) {
        if (result.wasApplied()) {
            remember(mailbox, next);
            return Mono.just(next);
        }
        // Not applied: the row Cassandra returns holds the values now (none when there is no row).
        Optional<Given> actual = Optional.ofNullable(result.one()).flatMap(MailboxSequences::valuesIn);
        actual.ifPresent(values -> remember(mailbox, values));
        if (attemptsLeft <= 1) {
            return Mono.error(new NoSuchElementException("lost the race for the sequences of mailbox " + mailbox));
        }
        return attempt(mailbox, actual, uids, modSeqs, attemptsLeft - 1);
    }

    private static Optional<Given> valuesIn(Row row) {
        if (!row.getColumnDefinitions().contains(LAST_UID) || row.isNull(LAST_UID) || row.isNull(LAST_MODSEQ)) {
            return Optional.empty();
        }
        return Optional.of(new Given(row.getLong(LAST_UID), row.getLong(LAST_MODSEQ)));
    }

    private void remember(UUID mailbox, Given values) {
        lastSeen.merge(mailbox, values, Given::latest);
    }

    private Mono<AsyncResultSet> execute(BoundStatement statement) {
        return Mono.fromCompletionStage(() -> session.executeAsync(statement));
    }
}
