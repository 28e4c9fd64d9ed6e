package dev.gateway.storage.cassandra;

import static com.datastax.oss.driver.api.core.type.DataTypes.BIGINT;
import static com.datastax.oss.driver.api.core.type.DataTypes.TEXT;
import static com.datastax.oss.driver.api.querybuilder.QueryBuilder.bindMarker;
import static com.datastax.oss.driver.api.querybuilder.QueryBuilder.insertInto;
import static com.datastax.oss.driver.api.querybuilder.QueryBuilder.selectFrom;
import static com.datastax.oss.driver.api.querybuilder.QueryBuilder.update;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.apache.james.backends.cassandra.components.CassandraModule;
import org.apache.james.backends.cassandra.init.configuration.JamesExecutionProfiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DriverExecutionProfile;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.type.DataTypes;
import com.google.common.annotations.VisibleForTesting;
import com.google.common.collect.ImmutableMap;

/**
 * The keyspace's sequences lease: one row of {@code gateway_sequences_lease} that says which node, if any, alone
 * writes the keyspace's mailboxes, and which nodes are live. A node holding it gives UIDs and mod-sequences out of
 * blocks ({@link MailboxSequences}); docs/storage-cassandra.md, "One lease for a node alone".
 *
 * <p>Every node renews its own entry in the row once every {@link #TICK}, with a lightweight transaction conditioned
 * on the row's version, so that every change of the row is seen by every later one:
 * <ul>
 *   <li>a node that finds itself the only live one takes the lease, and renews it while it stays alone;</li>
 *   <li>a holder that finds another live node gives the lease up (it stops using blocks first), and from then on
 *       every node allocates with one transaction per allocation;</li>
 *   <li>a node that finds the lease held by another waits ({@link Mode#WAITING}) until the holder has given it up,
 *       at its next renewal, or until the lease has lapsed;</li>
 *   <li>a node restarted under its old name (the queue's node name) finds the lease its own and keeps it.</li>
 * </ul>
 *
 * <p>What this node may do is limited by its own monotonic clock: exclusive for {@link #LEASE} minus
 * {@link #MARGIN} after the renewal started, shared for as long after its own entry was renewed. Other nodes count
 * a lease as lapsed, and a node as gone, {@link #SKEW} later than that renewal's wall-clock time plus {@link #LEASE}.
 * Uniqueness of the values never rests on this timing (each block is a transaction of its own); their order across
 * nodes does, as it already did with one transaction per value.
 */
public final class KeyspaceSequencesLease implements SequencesLease, AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(KeyspaceSequencesLease.class);

    static final String TABLE = "gateway_sequences_lease";
    private static final String ROW = "sequences";
    private static final CqlIdentifier ID = CqlIdentifier.fromCql("id");
    private static final CqlIdentifier VERSION = CqlIdentifier.fromCql("version");
    private static final CqlIdentifier HOLDER = CqlIdentifier.fromCql("holder");
    private static final CqlIdentifier EXPIRES = CqlIdentifier.fromCql("expires");
    private static final CqlIdentifier MEMBERS = CqlIdentifier.fromCql("members");
    private static final CqlIdentifier EXPECTED_VERSION = CqlIdentifier.fromCql("expected_version");
    /** No holder: an empty name rather than a null, which would write a tombstone at every renewal. */
    private static final String NOBODY = "";

    /** How often each node renews its entry (and the holder its lease). */
    static final Duration TICK = Duration.ofSeconds(1);
    /** How long a renewal holds, in the wall-clock time written to the row. */
    static final Duration LEASE = Duration.ofSeconds(10);
    /** Taken off the lease by the node itself: it stops this much before the others may start. */
    static final Duration MARGIN = Duration.ofSeconds(3);
    /** Added to the lease by the other nodes: the clock difference between nodes it tolerates. */
    static final Duration SKEW = Duration.ofSeconds(2);
    private static final int ATTEMPTS = 5;

    /**
     * The members are one frozen map, rewritten as one cell: a map written entry by entry would leave a tombstone
     * in the row at every renewal.
     */
    public static final CassandraModule MODULE = CassandraModule.builder()
        .table(TABLE)
        .comment("Gateway: which node alone gives out UIDs and mod-sequences in blocks, and the live"
            + " nodes (docs/storage-cassandra.md)")
        .statement(statement -> types -> statement
            .withPartitionKey(ID, TEXT)
            .withColumn(VERSION, BIGINT)
            .withColumn(HOLDER, TEXT)
            .withColumn(EXPIRES, BIGINT)
            .withColumn(MEMBERS, DataTypes.frozenMapOf(TEXT, BIGINT)))
        .build();

    /** The row: who holds the lease until when, and the live nodes with the wall-clock time of their last renewal. */
    record Lease(long version, String holder, long expires, Map<String, Long> members) {
    }

    /** What this node may do, and until when by its monotonic clock. */
    private record Standing(Mode mode, long term, long validUntil) {
    }

    private final CqlSession session;
    private final String node;
    private final Clock wall;
    private final LongSupplier nanos;
    private final DriverExecutionProfile serial;
    private final PreparedStatement select;
    private final PreparedStatement insert;
    private final PreparedStatement update;
    private volatile Standing standing = new Standing(Mode.WAITING, 0, 0);
    private Lease known;
    private ScheduledExecutorService renewals;

    public KeyspaceSequencesLease(CqlSession session, String node) {
        this(session, node, Clock.systemUTC(), System::nanoTime);
    }

    @VisibleForTesting
    KeyspaceSequencesLease(CqlSession session, String node, Clock wall, LongSupplier nanos) {
        this.session = session;
        this.node = node;
        this.wall = wall;
        this.nanos = nanos;
        this.serial = JamesExecutionProfiles.getLWTProfile(session);
        this.select = session.prepare(selectFrom(TABLE).all().whereColumn(ID).isEqualTo(bindMarker(ID)).build());
        this.insert = session.prepare(insertInto(TABLE)
            .value(ID, bindMarker(ID))
            .value(VERSION, bindMarker(VERSION))
            .value(HOLDER, bindMarker(HOLDER))
            .value(EXPIRES, bindMarker(EXPIRES))
            .value(MEMBERS, bindMarker(MEMBERS))
            .ifNotExists().build());
        this.update = session.prepare(update(TABLE)
            .setColumn(VERSION, bindMarker(VERSION))
            .setColumn(HOLDER, bindMarker(HOLDER))
            .setColumn(EXPIRES, bindMarker(EXPIRES))
            .setColumn(MEMBERS, bindMarker(MEMBERS))
            .whereColumn(ID).isEqualTo(bindMarker(ID))
            .ifColumn(VERSION).isEqualTo(bindMarker(EXPECTED_VERSION)).build());
    }

    /** Renews now, then every {@link #TICK} on a daemon thread of its own, until {@link #close()}. */
    public synchronized KeyspaceSequencesLease start() {
        renew();
        renewals = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "mailbox-sequences-lease");
            thread.setDaemon(true);
            return thread;
        });
        renewals.scheduleWithFixedDelay(this::renew, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    @Override
    public State now() {
        Standing current = standing;
        if (current.mode() != Mode.WAITING && nanos.getAsLong() - current.validUntil() > 0) {
            // Not renewed in time: another node may have taken over meanwhile.
            return new State(Mode.WAITING, current.term());
        }
        return new State(current.mode(), current.term());
    }

    /** One renewal of this node's entry: takes, keeps, gives up or waits for the lease as the row says. */
    @VisibleForTesting
    synchronized void renew() {
        long started = nanos.getAsLong();
        long now = wall.millis();
        try {
            Lease current = known != null ? known : read();
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                Lease next = next(current, now);
                boolean givingUp = current != null && node.equals(current.holder()) && !node.equals(next.holder());
                if (givingUp) {
                    // Nothing more out of a block before the row says the lease is free.
                    standing = new Standing(Mode.WAITING, standing.term(), 0);
                }
                if (write(current, next)) {
                    known = next;
                    settle(current, next, started);
                    return;
                }
                current = read();
            }
            known = null;
            LOGGER.debug("The mailbox sequences lease changed {} times under this renewal; trying again in {}", ATTEMPTS, TICK);
        } catch (RuntimeException e) {
            known = null;
            LOGGER.warn("Could not renew this node's entry in the mailbox sequences lease; trying again in {}: {}", TICK, e.toString());
        }
    }

    /** The row after this node's renewal at {@code now}. */
    private Lease next(Lease current, long now) {
        Map<String, Long> members = new HashMap<>();
        String holder = NOBODY;
        long expires = 0;
        long version = 0;
        if (current != null) {
            current.members().forEach((member, renewed) -> {
                if (renewed >= now - LEASE.toMillis() - SKEW.toMillis()) {
                    members.put(member, renewed);
                }
            });
            holder = current.holder();
            expires = current.expires();
            version = current.version();
        }
        members.put(node, now);
        if (!holder.equals(NOBODY) && !holder.equals(node) && now > expires + SKEW.toMillis()) {
            holder = NOBODY;
        }
        if (holder.equals(node) && members.size() > 1) {
            holder = NOBODY;
        }
        if ((holder.equals(node) || holder.equals(NOBODY)) && members.size() == 1) {
            holder = node;
            expires = now + LEASE.toMillis();
        }
        return new Lease(version + 1, holder, expires, ImmutableMap.copyOf(members));
    }

    private void settle(Lease before, Lease after, long started) {
        Standing previous = standing;
        Standing next;
        long validUntil = started + LEASE.minus(MARGIN).toNanos();
        if (node.equals(after.holder())) {
            boolean continued = previous.mode() == Mode.EXCLUSIVE && started - previous.validUntil() < 0
                && before != null && node.equals(before.holder());
            next = new Standing(Mode.EXCLUSIVE, continued ? previous.term() : previous.term() + 1, validUntil);
        } else if (after.holder().equals(NOBODY)) {
            next = new Standing(Mode.SHARED, previous.term(), validUntil);
        } else {
            next = new Standing(Mode.WAITING, previous.term(), 0);
        }
        standing = next;
        if (next.mode() != previous.mode()) {
            LOGGER.info("Mailbox sequences: {}", switch (next.mode()) {
                case EXCLUSIVE -> "this node is the only live one and gives UIDs and MODSEQs out of blocks";
                case SHARED -> "nodes live: " + after.members().keySet() + "; one transaction per allocation";
                case WAITING -> "waiting for " + after.holder() + " to give up the lease";
            });
        }
    }

    /** {@code next} inserted where there is no row yet, else written over {@code current} if it is still the row. */
    private boolean write(Lease current, Lease next) {
        BoundStatement statement = current == null
            ? insert.bind()
            : update.bind().setLong(EXPECTED_VERSION, current.version());
        return session.execute(statement
            .setString(ID, ROW)
            .setLong(VERSION, next.version())
            .setString(HOLDER, next.holder())
            .setLong(EXPIRES, next.expires())
            .setMap(MEMBERS, next.members(), String.class, Long.class)).wasApplied();
    }

    private Lease read() {
        Row row = session.execute(select.bind().setString(ID, ROW).setExecutionProfile(serial)).one();
        if (row == null) {
            return null;
        }
        return new Lease(row.getLong(VERSION), row.isNull(HOLDER) ? NOBODY : row.getString(HOLDER),
            row.getLong(EXPIRES), row.getMap(MEMBERS, String.class, Long.class));
    }

    /**
     * Leaves the row: gives the lease up and removes this node's entry, so that a node left alone takes the lease at
     * its next renewal instead of after this one's has lapsed.
     */
    @Override
    public synchronized void close() {
        if (renewals != null) {
            renewals.shutdownNow();
        }
        standing = new Standing(Mode.WAITING, standing.term(), 0);
        try {
            Lease current = known != null ? known : read();
            for (int attempt = 0; attempt < ATTEMPTS && current != null; attempt++) {
                Map<String, Long> members = new HashMap<>(current.members());
                members.remove(node);
                Lease next = new Lease(current.version() + 1,
                    node.equals(current.holder()) ? NOBODY : current.holder(), current.expires(),
                    ImmutableMap.copyOf(members));
                if (write(current, next)) {
                    return;
                }
                current = read();
            }
        } catch (RuntimeException e) {
            LOGGER.warn("Could not leave the mailbox sequences lease; the other nodes will count this node gone in {}: {}",
                LEASE.plus(SKEW), e.toString());
        } finally {
            known = null;
        }
    }
}
