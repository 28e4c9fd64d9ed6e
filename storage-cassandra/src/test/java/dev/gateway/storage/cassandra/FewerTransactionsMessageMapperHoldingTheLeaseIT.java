package dev.gateway.storage.cassandra;

/**
 * James's whole message mapper contract again, as {@link FewerTransactionsMessageMapperIT} runs it, on a node that
 * holds the keyspace's sequences lease throughout: every UID and MODSEQ of appends, copies, moves and flag changes is
 * given from the mailbox's block in memory, and the last UID and highest MODSEQ James reads back come from there too.
 */
class FewerTransactionsMessageMapperHoldingTheLeaseIT extends FewerTransactionsMessageMapperIT {

    @Override
    protected SequencesLease lease() {
        return () -> new SequencesLease.State(SequencesLease.Mode.EXCLUSIVE, 1);
    }
}
