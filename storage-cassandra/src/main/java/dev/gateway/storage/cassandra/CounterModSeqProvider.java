package dev.gateway.storage.cassandra;

import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.cassandra.ids.CassandraId;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.ModSeqProvider;

import reactor.core.publisher.Mono;

/**
 * A mailbox's mod-sequences given out by a {@link MailboxCounter} on James's {@code modseq} table: one lightweight
 * transaction per allocation (every append and every flag change) where James's {@code CassandraModSeqProvider} runs a
 * {@code SERIAL} read and then one. The highest mod-sequence is read as James reads it (its provider, passed in).
 */
final class CounterModSeqProvider implements ModSeqProvider {

    private final MailboxCounter counter;
    private final ModSeqProvider reads;

    CounterModSeqProvider(MailboxCounter counter, ModSeqProvider reads) {
        this.counter = counter;
        this.reads = reads;
    }

    @Override
    public ModSeq nextModSeq(Mailbox mailbox) throws MailboxException {
        return nextModSeq(mailbox.getMailboxId());
    }

    @Override
    public ModSeq nextModSeq(MailboxId mailboxId) throws MailboxException {
        return nextModSeqReactive(mailboxId).blockOptional()
            .orElseThrow(() -> new MailboxException("No MODSEQ given for mailbox " + mailboxId));
    }

    @Override
    public Mono<ModSeq> nextModSeqReactive(MailboxId mailboxId) {
        return counter.advance(((CassandraId) mailboxId).asUuid(), 1).map(ModSeq::of);
    }

    @Override
    public ModSeq highestModSeq(Mailbox mailbox) throws MailboxException {
        return reads.highestModSeq(mailbox);
    }

    @Override
    public ModSeq highestModSeq(MailboxId mailboxId) throws MailboxException {
        return reads.highestModSeq(mailboxId);
    }

    @Override
    public Mono<ModSeq> highestModSeqReactive(Mailbox mailbox) {
        return reads.highestModSeqReactive(mailbox);
    }
}
