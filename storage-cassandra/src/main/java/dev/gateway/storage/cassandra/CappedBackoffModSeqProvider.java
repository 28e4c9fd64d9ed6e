package dev.gateway.storage.cassandra;

import org.apache.james.backends.cassandra.init.configuration.CassandraConfiguration;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.cassandra.mail.CassandraModSeqProvider;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.ModSeqProvider;

import com.datastax.oss.driver.api.core.CqlSession;

import reactor.core.publisher.Mono;

/**
 * James's Cassandra mod-sequence allocation, retried with a {@link CappedBackoff}, for the same reason as
 * {@link CappedBackoffUidProvider}: an append takes a UID, then a mod-sequence.
 */
public final class CappedBackoffModSeqProvider implements ModSeqProvider {

    private final ModSeqProvider james;
    private final CappedBackoff backoff;

    CappedBackoffModSeqProvider(ModSeqProvider james, CappedBackoff backoff) {
        this.james = james;
        this.backoff = backoff;
    }

    public static CappedBackoffModSeqProvider of(CqlSession session, CassandraConfiguration configuration) {
        return new CappedBackoffModSeqProvider(new CassandraModSeqProvider(session, CappedBackoff.withOneRetry(configuration)),
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
        return backoff.retry(Mono.defer(() -> james.nextModSeqReactive(mailboxId)));
    }

    @Override
    public ModSeq highestModSeq(Mailbox mailbox) throws MailboxException {
        return james.highestModSeq(mailbox);
    }

    @Override
    public ModSeq highestModSeq(MailboxId mailboxId) throws MailboxException {
        return james.highestModSeq(mailboxId);
    }

    @Override
    public Mono<ModSeq> highestModSeqReactive(Mailbox mailbox) {
        return james.highestModSeqReactive(mailbox);
    }
}
