package dev.gateway.storage.cassandra;

import java.util.List;
import java.util.Optional;
import java.util.stream.LongStream;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.cassandra.ids.CassandraId;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.UidProvider;

import com.google.common.collect.ImmutableList;

import reactor.core.publisher.Mono;

/**
 * A mailbox's UIDs given out by a {@link MailboxCounter} on James's {@code messageCounter} table: one lightweight
 * transaction per allocation where James's {@code CassandraUidProvider} runs a {@code SERIAL} read and then one.
 * The last UID given is read as James reads it (its provider, passed in).
 */
final class CounterUidProvider implements UidProvider {

    private final MailboxCounter counter;
    private final UidProvider reads;

    CounterUidProvider(MailboxCounter counter, UidProvider reads) {
        this.counter = counter;
        this.reads = reads;
    }

    @Override
    public MessageUid nextUid(Mailbox mailbox) throws MailboxException {
        return nextUid(mailbox.getMailboxId());
    }

    @Override
    public MessageUid nextUid(MailboxId mailboxId) throws MailboxException {
        return nextUidReactive(mailboxId).blockOptional()
            .orElseThrow(() -> new MailboxException("No UID given for mailbox " + mailboxId));
    }

    @Override
    public Mono<MessageUid> nextUidReactive(MailboxId mailboxId) {
        return counter.advance(((CassandraId) mailboxId).asUuid(), 1).map(MessageUid::of);
    }

    @Override
    public Mono<List<MessageUid>> nextUids(MailboxId mailboxId, int count) {
        if (count == 0) {
            return Mono.just(List.of());
        }
        return counter.advance(((CassandraId) mailboxId).asUuid(), count)
            .map(highest -> LongStream.rangeClosed(highest - count + 1, highest)
                .mapToObj(MessageUid::of)
                .collect(ImmutableList.toImmutableList()));
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
