package dev.gateway.storage.cassandra;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.LongStream;

import org.apache.james.backends.cassandra.init.configuration.CassandraConfiguration;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.cassandra.ids.CassandraId;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.UidProvider;

import com.google.common.collect.ImmutableList;

import reactor.core.publisher.Mono;

/**
 * A mailbox's UIDs given out by {@link MailboxSequences}: within an append or a copy, the UID allocated together
 * with the message's mod-sequence ({@link AllocatedForAppend}); otherwise one lightweight transaction that advances
 * the UID alone.
 *
 * <p>Allocations are retried with a {@link CappedBackoff}: an append caught by a Cassandra outage completes as soon as
 * Cassandra answers again, not after a backoff that doubled all through the outage.
 */
public final class CounterUidProvider implements UidProvider {

    private final MailboxSequences sequences;
    private final CappedBackoff backoff;
    private final boolean strongReads;

    CounterUidProvider(MailboxSequences sequences, CappedBackoff backoff, boolean strongReads) {
        this.sequences = sequences;
        this.backoff = backoff;
        this.strongReads = strongReads;
    }

    /**
     * UIDs of {@code sequences}, retried as often as {@code uid.max.retry} says, read at {@code SERIAL} as
     * {@code uid.read.strong.consistency.unsafe} says.
     */
    public static CounterUidProvider of(MailboxSequences sequences, CassandraConfiguration configuration) {
        return new CounterUidProvider(sequences, CappedBackoff.of("UID", configuration.getUidMaxRetry()),
            configuration.isUidReadStrongConsistency());
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
        UUID mailbox = ((CassandraId) mailboxId).asUuid();
        return Mono.deferContextual(context -> AllocatedForAppend.takeUid(context, mailbox)
            .map(Mono::just)
            .orElseGet(() -> backoff.retry(sequences.advance(mailbox, 1, 0))
                .map(given -> MessageUid.of(given.uid()))));
    }

    @Override
    public Mono<List<MessageUid>> nextUids(MailboxId mailboxId, int count) {
        if (count == 0) {
            return Mono.just(List.of());
        }
        return backoff.retry(sequences.advance(((CassandraId) mailboxId).asUuid(), count, 0))
            .map(given -> LongStream.rangeClosed(given.uid() - count + 1, given.uid())
                .mapToObj(MessageUid::of)
                .collect(ImmutableList.toImmutableList()));
    }

    @Override
    public Optional<MessageUid> lastUid(Mailbox mailbox) throws MailboxException {
        return lastUidReactive(mailbox).block();
    }

    @Override
    public Mono<Optional<MessageUid>> lastUidReactive(Mailbox mailbox) {
        return sequences.last(((CassandraId) mailbox.getMailboxId()).asUuid(), strongReads)
            .map(given -> given.uid() == 0 ? Optional.<MessageUid>empty() : Optional.of(MessageUid.of(given.uid())));
    }
}
