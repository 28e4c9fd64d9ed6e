package dev.gateway.storage.cassandra;

import org.apache.james.backends.cassandra.init.configuration.CassandraConfiguration;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.cassandra.ids.CassandraId;
import org.apache.james.mailbox.cassandra.mail.CassandraModSeqProvider;
import org.apache.james.mailbox.cassandra.table.CassandraMessageModseqTable;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.ModSeqProvider;

import com.datastax.oss.driver.api.core.CqlSession;

import reactor.core.publisher.Mono;

/**
 * A mailbox's mod-sequences given out by a {@link MailboxCounter} on James's {@code modseq} table: one lightweight
 * transaction per allocation (every append and every flag change) where James's {@code CassandraModSeqProvider} runs a
 * {@code SERIAL} read and then one. The highest mod-sequence is read as James reads it (its provider, passed in).
 *
 * <p>Allocations are retried with a {@link CappedBackoff}, for the same reason as {@link CounterUidProvider}'s: an
 * append takes a UID and a mod-sequence.
 */
public final class CounterModSeqProvider implements ModSeqProvider {

    private final MailboxCounter counter;
    private final ModSeqProvider reads;
    private final CappedBackoff backoff;

    CounterModSeqProvider(MailboxCounter counter, ModSeqProvider reads, CappedBackoff backoff) {
        this.counter = counter;
        this.reads = reads;
        this.backoff = backoff;
    }

    /** Mod-sequences on {@code session}'s keyspace, retried as often as {@code modseq.max.retry} says. */
    public static CounterModSeqProvider of(CqlSession session, CassandraConfiguration configuration) {
        MailboxCounter counter = new MailboxCounter(session, CassandraMessageModseqTable.TABLE_NAME,
            CassandraMessageModseqTable.MAILBOX_ID, CassandraMessageModseqTable.NEXT_MODSEQ,
            MailboxCounter.REMEMBERED_MAILBOXES);
        ModSeqProvider reads = new CassandraModSeqProvider(session, CappedBackoff.withOneRetry(configuration));
        return new CounterModSeqProvider(counter, reads, CappedBackoff.of("MODSEQ", configuration.getModSeqMaxRetry()));
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
        return backoff.retry(Mono.defer(() -> counter.advance(((CassandraId) mailboxId).asUuid(), 1))
            .map(ModSeq::of));
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
