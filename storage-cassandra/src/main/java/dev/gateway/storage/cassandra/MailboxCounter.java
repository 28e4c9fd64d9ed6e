package dev.gateway.storage.cassandra;

import static com.datastax.oss.driver.api.querybuilder.QueryBuilder.bindMarker;
import static com.datastax.oss.driver.api.querybuilder.QueryBuilder.insertInto;
import static com.datastax.oss.driver.api.querybuilder.QueryBuilder.selectFrom;
import static com.datastax.oss.driver.api.querybuilder.QueryBuilder.update;

import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentMap;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.google.common.cache.CacheBuilder;

import reactor.core.publisher.Mono;

/**
 * One of a mailbox's counters in James's tables (the last UID given, in {@code messageCounter}; the last
 * mod-sequence given, in {@code modseq}), advanced by one conditional update per allocation and no read.
 *
 * <p>James 3.8.1 reads the counter with a {@code SERIAL} read (a Paxos round of its own, with its writes to
 * {@code system.paxos}) before each conditional update: two extra Paxos rounds for every delivered message (its UID
 * and its MODSEQ) and one for every flag change. The read adds nothing to correctness. The update's condition
 * ({@code IF nextUid = ?}) is what makes every value given out distinct and ascending, and when the condition fails
 * Cassandra answers with the counter's current value. So an allocation starts from the value this node saw last
 * (a plain read the first time it meets the mailbox) and, when the condition fails, tries again at once from the
 * value Cassandra returned. The guess only ever lags the counter (it is a value the counter had, and the counter
 * only grows), so a stale guess costs one failed update, never a duplicate; a value is given out only once its
 * update has applied. With one node delivering, the guess is right and an allocation is one lightweight
 * transaction; with several nodes racing for one mailbox, each lost race costs one more.
 *
 * <p>The row holds the highest value given so far; no row means none was given. James's own providers read the same
 * rows ({@code lastUid}, {@code highestModSeq}), so a keyspace written by either is read by the other.
 */
final class MailboxCounter {

    /** Mailboxes whose last value a node remembers, per counter: a few hundred bytes each. */
    static final long REMEMBERED_MAILBOXES = 10_000;
    /** Updates tried at once with the value the last one returned, before the allocation reports a lost race. */
    static final int ATTEMPTS = 5;
    private static final CqlIdentifier CONDITION = CqlIdentifier.fromCql("expected");

    private final CqlSession session;
    private final CqlIdentifier counter;
    private final PreparedStatement select;
    private final PreparedStatement insert;
    private final PreparedStatement update;
    private final ConcurrentMap<UUID, Long> lastSeen;

    /**
     * @param table        James's table ({@code messageCounter}, {@code modseq})
     * @param mailboxId    its key column
     * @param counter      its counter column
     * @param mailboxes    how many mailboxes' last values this node remembers (least recently used out first)
     */
    MailboxCounter(CqlSession session, String table, CqlIdentifier mailboxId, CqlIdentifier counter, long mailboxes) {
        this.session = session;
        this.counter = counter;
        this.select = session.prepare(selectFrom(table).column(counter)
            .whereColumn(mailboxId).isEqualTo(bindMarker(mailboxId)).build());
        this.insert = session.prepare(insertInto(table)
            .value(mailboxId, bindMarker(mailboxId))
            .value(counter, bindMarker(counter))
            .ifNotExists().build());
        this.update = session.prepare(update(table)
            .setColumn(counter, bindMarker(counter))
            .whereColumn(mailboxId).isEqualTo(bindMarker(mailboxId))
            .ifColumn(counter).isEqualTo(bindMarker(CONDITION)).build());
        this.lastSeen = CacheBuilder.newBuilder().maximumSize(mailboxes).<UUID, Long>build().asMap();
    }

    /**
     * Gives out the next {@code count} values of the mailbox's counter and returns the highest of them (the values
     * given are the {@code count} values up to it). Fails with a {@link NoSuchElementException} when other
     * allocations won all of its {@link #ATTEMPTS} attempts: a lost race, retried by the caller.
     */
    Mono<Long> advance(UUID mailbox, int count) {
        return Mono.defer(() -> {
            Long seen = lastSeen.get(mailbox);
            Mono<Optional<Long>> start = seen != null ? Mono.just(Optional.of(seen)) : current(mailbox);
            return start.flatMap(expected -> attempt(mailbox, expected, count, ATTEMPTS));
        });
    }

    private Mono<Optional<Long>> current(UUID mailbox) {
        return execute(select.bind().setUuid(0, mailbox))
            .map(result -> Optional.ofNullable(result.one()).flatMap(this::valueIn));
    }

    private Mono<Long> attempt(UUID mailbox, Optional<Long> expected, int count, int attemptsLeft) {
        long next = expected.orElse(0L) + count;
        BoundStatement statement = expected
            .map(value -> update.bind().setLong(counter, next).setUuid(1, mailbox).setLong(CONDITION, value))
            .orElseGet(() -> insert.bind().setUuid(0, mailbox).setLong(counter, next));
        return execute(statement).flatMap(result -> {
            if (result.wasApplied()) {
                remember(mailbox, next);
                return Mono.just(next);
            }
            // Not applied: the row Cassandra returns holds the counter's value now (none when there is no row yet).
            Optional<Long> actual = Optional.ofNullable(result.one()).flatMap(this::valueIn);
            actual.ifPresent(value -> remember(mailbox, value));
            if (attemptsLeft <= 1) {
                return Mono.error(new NoSuchElementException("lost the race for the counter of mailbox " + mailbox));
            }
            return attempt(mailbox, actual, count, attemptsLeft - 1);
        });
    }

    private Optional<Long> valueIn(Row row) {
        if (!row.getColumnDefinitions().contains(counter) || row.isNull(counter)) {
            return Optional.empty();
        }
        return Optional.of(row.getLong(counter));
    }

    private void remember(UUID mailbox, long value) {
        lastSeen.merge(mailbox, value, Math::max);
    }

    private Mono<AsyncResultSet> execute(BoundStatement statement) {
        return Mono.fromCompletionStage(() -> session.executeAsync(statement));
    }
}
