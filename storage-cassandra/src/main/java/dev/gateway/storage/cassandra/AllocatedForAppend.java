package dev.gateway.storage.cassandra;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;

import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * The UID and mod-sequence of one message being copied (or moved), allocated together by one lightweight
 * transaction ({@link MailboxSequences}) and handed to the providers through the Reactor context of James's copy:
 * James's mapper asks {@link CounterUidProvider} and {@link CounterModSeqProvider} for them separately, and each
 * would otherwise run a transaction of its own. (An append is Gateway's own and sets both on the message itself.)
 *
 * <p>Each value is handed out once, and only for its mailbox: were James's mapper to ask twice within one append
 * (a retry), or for another mailbox, the provider allocates as it does outside an append rather than give a value
 * twice. A value not taken is a gap in the mailbox's UIDs or mod-sequences, which both allow.
 */
final class AllocatedForAppend {

    private static final Class<AllocatedForAppend> KEY = AllocatedForAppend.class;

    private final UUID mailbox;
    private final MailboxSequences.Given given;
    private final AtomicBoolean uidTaken = new AtomicBoolean();
    private final AtomicBoolean modSeqTaken = new AtomicBoolean();

    AllocatedForAppend(UUID mailbox, MailboxSequences.Given given) {
        this.mailbox = mailbox;
        this.given = given;
    }

    Context into(Context context) {
        return context.put(KEY, this);
    }

    static Optional<MessageUid> takeUid(ContextView context, UUID mailbox) {
        return in(context, mailbox)
            .filter(allocated -> allocated.uidTaken.compareAndSet(false, true))
            .map(allocated -> MessageUid.of(allocated.given.uid()));
    }

    static Optional<ModSeq> takeModSeq(ContextView context, UUID mailbox) {
        return in(context, mailbox)
            .filter(allocated -> allocated.modSeqTaken.compareAndSet(false, true))
            .map(allocated -> ModSeq.of(allocated.given.modSeq()));
    }

    private static Optional<AllocatedForAppend> in(ContextView context, UUID mailbox) {
        return context.<AllocatedForAppend>getOrEmpty(KEY).filter(allocated -> allocated.mailbox.equals(mailbox));
    }
}
