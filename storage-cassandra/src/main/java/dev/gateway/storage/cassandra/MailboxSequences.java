package dev.gateway.storage.cassandra;

import static com.datastax.oss.driver.api.core.type.DataTypes.BIGINT;
import static com.datastax.oss.driver.api.querybuilder.QueryBuilder.bindMarker;
import static com.datastax.oss.driver.api.querybuilder.QueryBuilder.insertInto;
import static com.datastax.oss.driver.api.querybuilder.QueryBuilder.selectFrom;
import static com.datastax.oss.driver.api.querybuilder.QueryBuilder.update;

import java.time.Duration;
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
 * <p>A node that holds the keyspace's lease ({@link SequencesLease}: it is the only live node) reserves each
 * mailbox's values in blocks of {@link #BLOCK} with that same transaction and gives them from memory, in order; it
 * then answers the last values from memory too, since the row holds the block's end. Anywhere else, one transaction
 * per allocation as above (docs/storage-cassandra.md, "One lease for a node alone").
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
    /**
     * UIDs and mod-sequences reserved beyond an allocation while this node holds the lease: one transaction per 64
     * messages delivered into a mailbox. What a block still held is skipped when the lease changes hands or the node
     * stops (UIDs need not be consecutive).
     */
    static final int BLOCK = 64;
    /** How often an allocation waiting for the lease to settle looks again. */
    private static final Duration LEASE_POLL = Duration.ofMillis(50);
    /** Longer than a lease takes to lapse (12 s): only a Cassandra that does not answer makes a node wait this long. */
    private static final Duration LEASE_WAIT = Duration.ofSeconds(20);

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
    private final SequencesLease lease;

    /** One transaction per allocation: for a keyspace that several nodes write, and for tests. */
    public MailboxSequences(CqlSession session) {
        this(session, SequencesLease.SHARED);
    }

    /** Blocks while {@code lease} says this node writes the keyspace alone. */
    public MailboxSequences(CqlSession session, SequencesLease lease) {
        this(session, lease, REMEMBERED_MAILBOXES);
    }

    MailboxSequences(CqlSession session, SequencesLease lease, long rememberedMailboxes) {
        this.session = session;
        this.lease = lease;
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
        // Its block is dropped: the one that replaces it reserves above it.
        this.combined = CacheBuilder.newBuilder().maximumSize(rememberedMailboxes)
            .<UUID, Combined>removalListener(removed -> removed.getValue().retire())
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
     *
     * <p>While this node holds the keyspace's lease ({@link SequencesLease}), the transaction reserves {@link #BLOCK}
     * more of each, and the allocations after it are given from that block in memory until it is used up.
     */
    public Mono<Given> advance(UUID mailbox, int uids, int modSeqs) {
        return Mono.defer(() -> ask(mailbox, new Wanted(uids, modSeqs)));
    }

    private Mono<Given> ask(UUID mailbox, Wanted wanted) {
        while (true) {
            Mono<Given> answer = combined.getUnchecked(mailbox).ask(wanted);
            if (answer != null) {
                return answer;
            }
        }
    }

    /** One transaction for {@code uids} and {@code modSeqs}, from the values this node saw last. */
    private Mono<Given> transaction(UUID mailbox, int uids, int modSeqs) {
        return Mono.defer(() -> {
            Given seen = lastSeen.get(mailbox);
            Mono<Optional<Given>> start = seen != null ? Mono.just(Optional.of(seen)) : stored(mailbox, false);
            return start.flatMap(expected -> attempt(mailbox, expected, uids, modSeqs, ATTEMPTS));
        });
    }

    /**
     * The allocations of one mailbox on this node: one transaction in flight, the ones asked meanwhile wait for the
     * next; and, while this node holds the lease, the block it reserved.
     */
    private final class Combined {
        private final UUID mailbox;
        private List<Wanted> waiting = new ArrayList<>();
        private boolean running;
        private boolean retired;
        private Block block;

        Combined(UUID mailbox) {
            this.mailbox = mailbox;
        }

        /** The answer to {@code wanted}; null when this one was forgotten meanwhile: ask the one that replaced it. */
        Mono<Given> ask(Wanted wanted) {
            boolean start;
            synchronized (this) {
                if (retired) {
                    return null;
                }
                waiting.add(wanted);
                start = !running;
                running = true;
            }
            if (start) {
                next();
            }
            return wanted.answer.asMono();
        }

        /**
         * Forgotten by the cache: its block, if any, is not used again (the one that replaces it reserves a new one,
         * above it), and what is asked of it is asked of its successor.
         */
        synchronized void retire() {
            retired = true;
            block = null;
        }

        private void next() {
            while (true) {
                List<Wanted> round;
                Given from;
                boolean forward = false;
                synchronized (this) {
                    if (waiting.isEmpty()) {
                        running = false;
                        return;
                    }
                    round = waiting;
                    waiting = new ArrayList<>();
                    if (retired) {
                        running = false;
                        forward = true;
                        from = null;
                    } else {
                        from = fromBlock(round);
                    }
                }
                if (forward) {
                    round.forEach(wanted -> MailboxSequences.this.ask(mailbox, wanted));
                    return;
                }
                if (from == null) {
                    runRound(round);
                    return;
                }
                answer(round, from);
            }
        }

        /** Where the round's values start when the block holds them all (and takes them from it); null otherwise. */
        private Given fromBlock(List<Wanted> round) {
            SequencesLease.State state = lease.now();
            if (block != null && (!state.exclusive() || block.term() != state.term())) {
                block = null;
            }
            if (block == null) {
                return null;
            }
            int uids = uidsOf(round);
            int modSeqs = modSeqsOf(round);
            Given from = block.handed();
            Given to = from.plus(uids, modSeqs);
            if (to.uid() > block.reserved().uid() || to.modSeq() > block.reserved().modSeq()) {
                return null;
            }
            block = new Block(block.term(), to, block.reserved());
            return from;
        }

        /**
         * A new block, reserved so that it continues the one held (the row ends where that one ends, since no other
         * node writes): what the held one still had is given first, nothing is skipped. Returns where the round's
         * values start.
         */
        private Mono<Given> reserve(SequencesLease.State state, int uids, int modSeqs) {
            Block held;
            synchronized (this) {
                held = block != null && block.term() == state.term() ? block : null;
            }
            long leftUids = held == null ? 0 : held.reserved().uid() - held.handed().uid();
            long leftModSeqs = held == null ? 0 : held.reserved().modSeq() - held.handed().modSeq();
            // At least the round itself, should the row not continue the held block after all.
            int moreUids = Math.toIntExact(Math.max(uids, Math.max(0, uids - leftUids) + BLOCK));
            int moreModSeqs = Math.toIntExact(Math.max(modSeqs, Math.max(0, modSeqs - leftModSeqs) + BLOCK));
            return transaction(mailbox, moreUids, moreModSeqs).map(reserved -> {
                Given before = reserved.plus(-moreUids, -moreModSeqs);
                synchronized (this) {
                    if (retired || !lease.now().equals(state)) {
                        // The lease changed hands meanwhile: only values above the row's end before this transaction.
                        return before;
                    }
                    Given start = held != null && before.equals(held.reserved()) ? held.handed() : before;
                    block = new Block(state.term(), start.plus(uids, modSeqs), reserved);
                    return start;
                }
            });
        }

        /** The round from Cassandra: a read, a transaction, or a transaction that reserves a block. */
        private void runRound(List<Wanted> round) {
            SequencesLease.State state = lease.now();
            int uids = uidsOf(round);
            int modSeqs = modSeqsOf(round);
            Mono<Optional<Given>> from;
            if (state.mode() == SequencesLease.Mode.WAITING) {
                // Another node may be giving values out of a block: wait for the lease to settle, then ask again.
                // Those that waited too long fail: an allocation is retried by its caller, a read fails its command.
                long now = System.nanoTime();
                round.removeIf(wanted -> {
                    boolean tooLong = now - wanted.asked() > LEASE_WAIT.toNanos();
                    if (tooLong) {
                        wanted.answer().tryEmitError(new NoSuchElementException(
                            "the keyspace's mailbox sequences lease has not settled within " + LEASE_WAIT));
                    }
                    return tooLong;
                });
                from = Mono.delay(LEASE_POLL).thenReturn(Optional.empty());
            } else if (uids == 0 && modSeqs == 0) {
                from = rowOrJames(mailbox, false).map(Optional::of);
            } else if (state.exclusive()) {
                from = reserve(state, uids, modSeqs).map(Optional::of);
            } else {
                from = transaction(mailbox, uids, modSeqs).map(last -> Optional.of(last.plus(-uids, -modSeqs)));
            }
            from.subscribe(
                start -> {
                    if (start.isPresent()) {
                        answer(round, start.get());
                    } else {
                        synchronized (this) {
                            round.addAll(waiting);
                            waiting = round;
                        }
                    }
                    next();
                },
                error -> {
                    round.forEach(wanted -> wanted.answer.tryEmitError(error));
                    next();
                });
        }
    }

    /** Each gets its part, in the order asked, the first the lowest values; a read gets the values given before it. */
    private static void answer(List<Wanted> round, Given from) {
        Given upTo = from;
        for (Wanted wanted : round) {
            upTo = upTo.plus(wanted.uids(), wanted.modSeqs());
            wanted.answer.tryEmitValue(upTo);
        }
    }

    private static int uidsOf(List<Wanted> round) {
        return round.stream().mapToInt(Wanted::uids).sum();
    }

    private static int modSeqsOf(List<Wanted> round) {
        return round.stream().mapToInt(Wanted::modSeqs).sum();
    }

    private record Wanted(int uids, int modSeqs, Sinks.One<Given> answer, long asked) {
        Wanted(int uids, int modSeqs) {
            this(uids, modSeqs, Sinks.one(), System.nanoTime());
        }
    }

    /** Values reserved by this node in a term of its lease: given up to {@code handed}, reserved up to {@code reserved}. */
    private record Block(long term, Given handed, Given reserved) {
    }

    /**
     * The last values given in the mailbox, read at {@code SERIAL} when {@code strong} (James's
     * {@code uid.read.strong.consistency.unsafe}, {@code modseq.read.strong.consistency.unsafe}).
     *
     * <p>While this node holds the keyspace's lease, the row is ahead of what was given (it holds the end of the
     * block), so the answer comes from the mailbox's block in memory, after the allocations asked before it; it is
     * read from the row only where no block is held, and then with no allocation of this node in flight.
     */
    public Mono<Given> last(UUID mailbox, boolean strong) {
        return Mono.defer(() -> lease.now().mode() == SequencesLease.Mode.SHARED
            ? rowOrJames(mailbox, strong)
            : ask(mailbox, new Wanted(0, 0)));
    }

    /** The row's values, or James's counters where there is no row. */
    private Mono<Given> rowOrJames(UUID mailbox, boolean strong) {
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
