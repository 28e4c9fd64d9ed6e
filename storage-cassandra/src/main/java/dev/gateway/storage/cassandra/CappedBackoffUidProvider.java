package dev.gateway.storage.cassandra;

import java.util.List;
import java.util.Optional;

import org.apache.james.backends.cassandra.init.configuration.CassandraConfiguration;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.cassandra.mail.CassandraUidProvider;
import org.apache.james.mailbox.cassandra.table.CassandraMessageUidTable;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.UidProvider;

import com.datastax.oss.driver.api.core.CqlSession;

import reactor.core.publisher.Mono;

/**
 * A mailbox's UID allocation on Cassandra, retried with a {@link CappedBackoff}: an append caught by a Cassandra outage
 * completes as soon as Cassandra answers again, not after a backoff that doubled all through the outage.
 */
public final class CappedBackoffUidProvider implements UidProvider {

    /** Mailboxes whose last UID a node remembers: a few hundred bytes each. */
    static final long REMEMBERED_MAILBOXES = 10_000;

    private final UidProvider provider;
    private final CappedBackoff backoff;

    CappedBackoffUidProvider(UidProvider provider, CappedBackoff backoff) {
        this.provider = provider;
        this.backoff = backoff;
    }

    /**
     * UIDs given by a {@link MailboxCounter} (one lightweight transaction each, no {@code SERIAL} read before it), the
     * last UID read by James's provider.
     */
    public static CappedBackoffUidProvider of(CqlSession session, CassandraConfiguration configuration) {
        MailboxCounter counter = new MailboxCounter(session, CassandraMessageUidTable.TABLE_NAME,
            CassandraMessageUidTable.MAILBOX_ID, CassandraMessageUidTable.NEXT_UID, REMEMBERED_MAILBOXES);
        UidProvider reads = new CassandraUidProvider(session, CappedBackoff.withOneRetry(configuration));
        return new CappedBackoffUidProvider(new CounterUidProvider(counter, reads),
            CappedBackoff.of("UID", configuration.getUidMaxRetry()));
    }

    @Override
    public MessageUid nextUid(Mailbox mailbox) throws MailboxException {
        return nextUid(mailbox.getMailboxId());
    }

    @Override
    public MessageUid nextUid(MailboxId mailboxId) throws MailboxException {
        return nextUidReactive(mailboxId).blockOptional()
            .orElseThrow(() -> new MailboxException("Error during Uid update"));
    }

    @Override
    public Mono<MessageUid> nextUidReactive(MailboxId mailboxId) {
        return backoff.retry(Mono.defer(() -> provider.nextUidReactive(mailboxId)));
    }

    @Override
    public Mono<List<MessageUid>> nextUids(MailboxId mailboxId, int count) {
        return backoff.retry(Mono.defer(() -> provider.nextUids(mailboxId, count)));
    }

    @Override
    public Optional<MessageUid> lastUid(Mailbox mailbox) throws MailboxException {
        return provider.lastUid(mailbox);
    }

    @Override
    public Mono<Optional<MessageUid>> lastUidReactive(Mailbox mailbox) {
        return provider.lastUidReactive(mailbox);
    }
}
