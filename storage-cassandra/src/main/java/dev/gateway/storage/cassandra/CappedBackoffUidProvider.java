package dev.gateway.storage.cassandra;

import java.util.List;
import java.util.Optional;

import org.apache.james.backends.cassandra.init.configuration.CassandraConfiguration;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.cassandra.mail.CassandraUidProvider;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.UidProvider;

import com.datastax.oss.driver.api.core.CqlSession;

import reactor.core.publisher.Mono;

/**
 * James's Cassandra UID allocation, retried with a {@link CappedBackoff}: an append caught by a Cassandra outage
 * completes as soon as Cassandra answers again, not after a backoff that doubled all through the outage.
 */
public final class CappedBackoffUidProvider implements UidProvider {

    private final UidProvider james;
    private final CappedBackoff backoff;

    CappedBackoffUidProvider(UidProvider james, CappedBackoff backoff) {
        this.james = james;
        this.backoff = backoff;
    }

    public static CappedBackoffUidProvider of(CqlSession session, CassandraConfiguration configuration) {
        return new CappedBackoffUidProvider(new CassandraUidProvider(session, CappedBackoff.withOneRetry(configuration)),
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
        return backoff.retry(Mono.defer(() -> james.nextUidReactive(mailboxId)));
    }

    @Override
    public Mono<List<MessageUid>> nextUids(MailboxId mailboxId, int count) {
        return backoff.retry(Mono.defer(() -> james.nextUids(mailboxId, count)));
    }

    @Override
    public Optional<MessageUid> lastUid(Mailbox mailbox) throws MailboxException {
        return james.lastUid(mailbox);
    }

    @Override
    public Mono<Optional<MessageUid>> lastUidReactive(Mailbox mailbox) {
        return james.lastUidReactive(mailbox);
    }
}
