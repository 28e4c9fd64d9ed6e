package dev.gateway.storage.cassandra;

import static org.apache.james.backends.cassandra.init.configuration.JamesExecutionProfiles.ConsistencyChoice.STRONG;
import static org.apache.james.backends.cassandra.init.configuration.JamesExecutionProfiles.ConsistencyChoice.WEAK;

import java.util.List;
import java.util.Optional;

import javax.mail.Flags;

import org.apache.james.backends.cassandra.init.configuration.CassandraConfiguration;
import org.apache.james.backends.cassandra.init.configuration.JamesExecutionProfiles.ConsistencyChoice;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.cassandra.ids.CassandraId;
import org.apache.james.mailbox.cassandra.ids.CassandraMessageId;
import org.apache.james.mailbox.cassandra.mail.CassandraIndexTableHandler;
import org.apache.james.mailbox.cassandra.mail.CassandraMessageIdDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraMessageIdToImapUidDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraMessageMetadata;
import org.apache.james.mailbox.cassandra.mail.utils.FlagsUpdateStageResult;
import org.apache.james.mailbox.model.ComposedMessageId;
import org.apache.james.mailbox.model.ComposedMessageIdWithMetaData;
import org.apache.james.mailbox.model.UpdatedFlags;
import org.apache.james.mailbox.store.FlagsUpdateCalculator;
import org.apache.james.mailbox.store.mail.ModSeqProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A flag change on messages of one mailbox (IMAP's {@code STORE}, and the {@code \Recent} reset of a {@code SELECT}),
 * retried until every message has it: James 3.8.1's mapper stops after one retry.
 *
 * <p>Each message's row in {@code imapUidTable} changes by a conditional update ({@code IF modseq = ?}), so when two
 * clients change the same message at once one of them loses the condition and must read the row again and retry.
 * James's mapper means to retry up to {@code flags.update.message.max.retry} (1,000) times, but its loop is written
 * with {@code takeUntil} where {@code takeWhile} was meant: it retries once, then logs "Can not update following UIDs"
 * and drops the change; and when nothing failed it runs the loop's 1,000 empty turns. Two clients setting and
 * clearing flags on one message lost changes that way (James's own {@code MessageMapperTest}, {@code
 * setFlagsShouldWorkWithConcurrencyWithRemove}, failed in two runs of four here).
 *
 * <p>Here a stage is James's: a new MODSEQ, the conditional update of each message's row, then its
 * {@code messageIdTable} row and the mailbox's indexes for those that held. The messages whose condition failed are
 * read again and go through another stage, until none is left or the retries are spent (then logged as James does).
 */
final class FlagUpdates {

    private static final Logger LOGGER = LoggerFactory.getLogger(FlagUpdates.class);

    private final ModSeqProvider modSeqs;
    private final CassandraMessageIdDAO messageIds;
    private final CassandraMessageIdToImapUidDAO imapUids;
    private final CassandraIndexTableHandler indexes;
    private final int maxRetries;
    private final ConsistencyChoice rereadConsistency;
    private final int concurrency;

    FlagUpdates(ModSeqProvider modSeqs, CassandraMessageIdDAO messageIds, CassandraMessageIdToImapUidDAO imapUids,
                CassandraIndexTableHandler indexes, CassandraConfiguration configuration) {
        this.modSeqs = modSeqs;
        this.messageIds = messageIds;
        this.imapUids = imapUids;
        this.indexes = indexes;
        this.maxRetries = configuration.getFlagsUpdateMessageMaxRetry();
        this.rereadConsistency = configuration.isMessageWriteStrongConsistency() ? STRONG : WEAK;
        // As James: one message at a time when rows change by conditional updates, so that they do not contend.
        this.concurrency = configuration.isMessageWriteStrongConsistency() ? 1 : 4;
    }

    /** Applies {@code calculator} to each message, returning the change of each one it applied to. */
    Mono<List<UpdatedFlags>> update(CassandraId mailboxId, Flux<ComposedMessageIdWithMetaData> messages,
                                    FlagsUpdateCalculator calculator) {
        return stage(mailboxId, messages, calculator)
            .flatMap(first -> retry(mailboxId, calculator, first, 0))
            .map(FlagsUpdateStageResult::getSucceeded);
    }

    private Mono<FlagsUpdateStageResult> retry(CassandraId mailboxId, FlagsUpdateCalculator calculator,
                                               FlagsUpdateStageResult sofar, int retries) {
        if (!sofar.containsFailedResults()) {
            return Mono.just(sofar);
        }
        if (retries >= maxRetries) {
            LOGGER.error("Can not update the flags of {} in mailbox {} after {} retries", sofar.getFailed(),
                mailboxId.asUuid(), retries);
            return Mono.just(sofar.keepSucceded());
        }
        return stage(mailboxId, reread(sofar.getFailed()), calculator)
            .flatMap(next -> retry(mailboxId, calculator, sofar.keepSucceded().merge(next), retries + 1));
    }

    private Flux<ComposedMessageIdWithMetaData> reread(List<ComposedMessageId> failed) {
        return Flux.fromIterable(failed)
            .flatMap(ids -> imapUids.retrieve((CassandraMessageId) ids.getMessageId(),
                    Optional.of((CassandraId) ids.getMailboxId()), rereadConsistency)
                .map(CassandraMessageMetadata::getComposedMessageId), concurrency);
    }

    private Mono<FlagsUpdateStageResult> stage(CassandraId mailboxId, Flux<ComposedMessageIdWithMetaData> messages,
                                               FlagsUpdateCalculator calculator) {
        return modSeqs.nextModSeqReactive(mailboxId)
            .switchIfEmpty(Mono.error(() -> new IllegalStateException("No MODSEQ for mailbox " + mailboxId.asUuid())))
            .flatMapMany(modSeq -> messages.flatMap(message -> update(message, calculator, modSeq), concurrency))
            .reduce(FlagsUpdateStageResult.none(), FlagsUpdateStageResult::merge)
            .flatMap(result -> indexes.updateIndexOnFlagsUpdate(mailboxId, result.getSucceeded())
                .onErrorResume(e -> {
                    LOGGER.error("Could not update the flag indexes of mailbox {}: its counters and indexes may be off until recomputed",
                        mailboxId.asUuid(), e);
                    return Mono.empty();
                })
                .thenReturn(result));
    }

    private Mono<FlagsUpdateStageResult> update(ComposedMessageIdWithMetaData old, FlagsUpdateCalculator calculator,
                                                ModSeq modSeq) {
        Flags oldFlags = old.getFlags();
        Flags newFlags = calculator.buildNewFlags(oldFlags);
        ComposedMessageId ids = old.getComposedMessageId();
        if (oldFlags.equals(newFlags)) {
            return Mono.just(FlagsUpdateStageResult.success(changed(ids, old.getModSeq(), oldFlags, newFlags)));
        }
        UpdatedFlags change = changed(ids, modSeq, oldFlags, newFlags);
        return imapUids.updateMetadata(ids, change, old.getModSeq())
            .flatMap(held -> held
                ? messageIds.updateMetadata(ids, change).thenReturn(FlagsUpdateStageResult.success(change))
                : Mono.just(FlagsUpdateStageResult.fail(ids)));
    }

    private static UpdatedFlags changed(ComposedMessageId ids, ModSeq modSeq, Flags oldFlags, Flags newFlags) {
        return UpdatedFlags.builder()
            .uid(ids.getUid())
            .messageId(ids.getMessageId())
            .modSeq(modSeq)
            .oldFlags(oldFlags)
            .newFlags(newFlags)
            .build();
    }
}
