package dev.gateway.storage.cassandra;

/**
 * Whether this node may give a mailbox's UIDs and mod-sequences out of blocks it reserved, one transaction per block,
 * instead of one transaction per value ({@link MailboxSequences}).
 *
 * <p>Blocks keep every value unique (each is reserved by a lightweight transaction), but they keep the values
 * ascending only while one node writes: a node handing out 70 from its block after another node gave 130 would make
 * a message appear below one already seen. So blocks are used only by a node that holds the keyspace's lease
 * ({@link KeyspaceSequencesLease}), which it takes only while no other node is live.
 */
public interface SequencesLease {

    /** What this node may do at the moment asked. */
    enum Mode {
        /** This node alone writes the keyspace's mailboxes: blocks of the current {@link State#term()} may be used. */
        EXCLUSIVE,
        /** Other nodes may write too: one transaction per allocation, as without a lease. */
        SHARED,
        /** Another node holds the lease, or this node's standing is not known: allocate nothing, read nothing. */
        WAITING
    }

    /**
     * The mode in force, and the term of exclusivity it belongs to. The term changes every time this node becomes
     * exclusive again: a block reserved in an earlier term must not be used, since other nodes may have written
     * between the two terms.
     */
    record State(Mode mode, long term) {
        public boolean exclusive() {
            return mode == Mode.EXCLUSIVE;
        }
    }

    /** The state in force now (checked against this node's monotonic clock, not only the last renewal). */
    State now();

    /** Never exclusive: one transaction per allocation, the behaviour without a lease (several nodes, tests). */
    SequencesLease SHARED = () -> new State(Mode.SHARED, 0);
}
