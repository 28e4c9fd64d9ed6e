package dev.gateway.storage.cassandra;

import java.util.UUID;

import org.apache.james.backends.cassandra.init.configuration.CassandraConfiguration;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.cassandra.ids.CassandraId;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.ModSeqProvider;

import reactor.core.publisher.Mono;

/**
 * A mailbox's mod-sequences given out by {@link MailboxSequences}: within an append or a copy, the mod-sequence
 * allocated together with the message's UID ({@link AllocatedForAppend}); otherwise (a flag change, a batch copy)
 * one lightweight transaction that advances the mod-sequence alone.
 *
 * <p>Allocations are retried with a {@link CappedBackoff}, for the same reason as {@link CounterUidProvider}'s.
 */
public final class CounterModSeqProvider implements ModSeqProvider {

    private final MailboxSequences sequences;
    private final CappedBackoff backoff;
    private final boolean strongReads;

    CounterModSeqProvider(MailboxSequences sequences, CappedBackoff backoff, boolean strongReads) {
        this.sequences = sequences;
        this.backoff = backoff;
        this.strongReads = strongReads;
    }

    /**
     * Mod-sequences of {@code sequences}, retried as often as {@code modseq.max.retry} says, read at {@code SERIAL}
     * as {@code modseq.read.strong.consistency.unsafe} says.
     */
    public static CounterModSeqProvider of(MailboxSequences sequences, CassandraConfiguration configuration) {
        return new CounterModSeqProvider(sequences, CappedBackoff.of("MODSEQ", configuration.getModSeqMaxRetry()),
            configuration.isModseqReadStrongConsistency());
    }

    @Override
    public ModSeq nextModSeq(Mailbox mailbox) throws MailboxException {
        return nextModSeq(mailbox.getMailboxId());
    }

    @Override
    public ModSeq nextModSeq(MailboxId mailboxId) throws MailboxException {
        return nextModSeqReactive(mailboxId).blockOptional()
            .orElseThrow(() -> new MailboxException("Error during modSeq update"));
    }

    @Override
    public Mono<ModSeq> nextModSeqReactive(MailboxId mailboxId) {
        UUID mailbox = ((CassandraId) mailboxId).asUuid();
        return Mono.deferContextual(context -> AllocatedForAppend.takeModSeq(context, mailbox)
            .map(Mono::just)
            .orElseGet(() -> backoff.retry(sequences.advance(mailbox, 0, 1))
                .map(given -> ModSeq.of(given.modSeq()))));
    }

    @Override
    public ModSeq highestModSeq(Mailbox mailbox) throws MailboxException {
        return highestModSeq(mailbox.getMailboxId());
    }

    @Override
    public ModSeq highestModSeq(MailboxId mailboxId) throws MailboxException {
        return highestModSeqReactive(mailboxId).block();
    }

    @Override
    public Mono<ModSeq> highestModSeqReactive(Mailbox mailbox) {
        return highestModSeqReactive(mailbox.getMailboxId());
    }

    private Mono<ModSeq> highestModSeqReactive(MailboxId mailboxId) {
        return sequences.last(((CassandraId) mailboxId).asUuid(), strongReads).map(given -> ModSeq.of(given.modSeq()));
    }
}
