package dev.gateway.storage.cassandra;

import java.util.List;
import java.util.Optional;
import java.util.stream.LongStream;

import org.apache.james.backends.cassandra.init.configuration.CassandraConfiguration;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.cassandra.ids.CassandraId;
import org.apache.james.mailbox.cassandra.mail.CassandraUidProvider;
import org.apache.james.mailbox.cassandra.table.CassandraMessageUidTable;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.UidProvider;

import com.datastax.oss.driver.api.core.CqlSession;
import com.google.common.collect.ImmutableList;

import reactor.core.publisher.Mono;

/**
 * A mailbox's UIDs given out by a {@link MailboxCounter} on James's {@code messageCounter} table: one lightweight
 * transaction per allocation where James's {@code CassandraUidProvider} runs a {@code SERIAL} read and then one.
 * The last UID given is read as James reads it (its provider, passed in).
 *
 * <p>Allocations are retried with a {@link CappedBackoff}: an append caught by a Cassandra outage completes as soon as
 * Cassandra answers again, not after a backoff that doubled all through the outage.
 */
public final class CounterUidProvider implements UidProvider {

    private final MailboxCounter counter;
    private final UidProvider reads;
    private final CappedBackoff backoff;

    CounterUidProvider(MailboxCounter counter, UidProvider reads, CappedBackoff backoff) {
        this.counter = counter;
        this.reads = reads;
        this.backoff = backoff;
    }

    /** UIDs on {@code session}'s keyspace, retried as often as {@code uid.max.retry} says. */
    public static CounterUidProvider of(CqlSession session, CassandraConfiguration configuration) {
        MailboxCounter counter = new MailboxCounter(session, CassandraMessageUidTable.TABLE_NAME,
            CassandraMessageUidTable.MAILBOX_ID, CassandraMessageUidTable.NEXT_UID,
            MailboxCounter.REMEMBERED_MAILBOXES);
        UidProvider reads = new CassandraUidProvider(session, CappedBackoff.withOneRetry(configuration));
        return new CounterUidProvider(counter, reads, CappedBackoff.of("UID", configuration.getUidMaxRetry()));
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
        return backoff.retry(Mono.defer(() -> counter.advance(((CassandraId) mailboxId).asUuid(), 1))
            .map(MessageUid::of));
    }

    @Override
    public Mono<List<MessageUid>> nextUids(MailboxId mailboxId, int count) {
        if (count == 0) {
            return Mono.just(List.of());
        }
        return backoff.retry(Mono.defer(() -> counter.advance(((CassandraId) mailboxId).asUuid(), count))
            .map(highest -> LongStream.rangeClosed(highest - count + 1, highest)
                .mapToObj(MessageUid::of)
                .collect(ImmutableList.toImmutableList())));
    }

    @Override
    public Optional<MessageUid> lastUid(Mailbox mailbox) throws MailboxException {
        return reads.lastUid(mailbox);
    }

    @Override
    public Mono<Optional<MessageUid>> lastUidReactive(Mailbox mailbox) {
        return reads.lastUidReactive(mailbox);
    }
}
