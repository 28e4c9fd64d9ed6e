package dev.gateway.storage.cassandra;

import org.apache.james.backends.cassandra.init.configuration.CassandraConfiguration;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.cassandra.mail.CassandraModSeqProvider;
import org.apache.james.mailbox.cassandra.table.CassandraMessageModseqTable;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.ModSeqProvider;

import com.datastax.oss.driver.api.core.CqlSession;

import reactor.core.publisher.Mono;

/**
 * A mailbox's mod-sequence allocation on Cassandra, retried with a {@link CappedBackoff}, for the same reason as
 * {@link CappedBackoffUidProvider}: an append takes a UID and a mod-sequence.
 */
public final class CappedBackoffModSeqProvider implements ModSeqProvider {

    private final ModSeqProvider provider;
    private final CappedBackoff backoff;

    CappedBackoffModSeqProvider(ModSeqProvider provider, CappedBackoff backoff) {
        this.provider = provider;
        this.backoff = backoff;
    }

    /**
     * Mod-sequences given by a {@link MailboxCounter} (one lightweight transaction each, no {@code SERIAL} read before
     * it), the highest read by James's provider.
     */
    public static CappedBackoffModSeqProvider of(CqlSession session, CassandraConfiguration configuration) {
        MailboxCounter counter = new MailboxCounter(session, CassandraMessageModseqTable.TABLE_NAME,
            CassandraMessageModseqTable.MAILBOX_ID, CassandraMessageModseqTable.NEXT_MODSEQ,
            CappedBackoffUidProvider.REMEMBERED_MAILBOXES);
        ModSeqProvider reads = new CassandraModSeqProvider(session, CappedBackoff.withOneRetry(configuration));
        return new CappedBackoffModSeqProvider(new CounterModSeqProvider(counter, reads),
            CappedBackoff.of("MODSEQ", configuration.getModSeqMaxRetry()));
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
        return backoff.retry(Mono.defer(() -> provider.nextModSeqReactive(mailboxId)));
    }

    @Override
    public ModSeq highestModSeq(Mailbox mailbox) throws MailboxException {
        return provider.highestModSeq(mailbox);
    }

    @Override
    public ModSeq highestModSeq(MailboxId mailboxId) throws MailboxException {
        return provider.highestModSeq(mailboxId);
    }

    @Override
    public Mono<ModSeq> highestModSeqReactive(Mailbox mailbox) {
        return provider.highestModSeqReactive(mailbox);
    }
}
