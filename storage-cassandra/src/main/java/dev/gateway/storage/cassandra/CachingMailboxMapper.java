package dev.gateway.storage.cassandra;

import org.apache.james.core.Username;
import org.apache.james.mailbox.acl.ACLDiff;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxACL;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.james.mailbox.model.search.MailboxQuery;
import org.apache.james.mailbox.store.mail.MailboxMapper;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * James's Cassandra mailbox mapper with {@link #findMailboxByPath} answered from a {@link MailboxLookupCache}: how a
 * delivery, a SELECT or an APPEND finds its mailbox by name. Every change it makes clears that cache once made. Whether
 * a path exists, listings and lookups by id are James's, uncached: creating a mailbox checks the store itself.
 */
public final class CachingMailboxMapper implements MailboxMapper {

    private final MailboxMapper mailboxes;
    private final MailboxLookupCache cache;

    public CachingMailboxMapper(MailboxMapper mailboxes, MailboxLookupCache cache) {
        this.mailboxes = mailboxes;
        this.cache = cache;
    }

    @Override
    public Mono<Mailbox> findMailboxByPath(MailboxPath path) {
        return cache.find(path, () -> mailboxes.findMailboxByPath(path));
    }

    @Override
    public Mono<Mailbox> create(MailboxPath mailboxPath, UidValidity uidValidity) {
        return mailboxes.create(mailboxPath, uidValidity);
    }

    @Override
    public Mono<MailboxId> rename(Mailbox mailbox) {
        return invalidating(mailboxes.rename(mailbox));
    }

    @Override
    public Mono<Void> delete(Mailbox mailbox) {
        return invalidating(mailboxes.delete(mailbox));
    }

    @Override
    public Mono<ACLDiff> updateACL(Mailbox mailbox, MailboxACL.ACLCommand mailboxACLCommand) {
        return invalidating(mailboxes.updateACL(mailbox, mailboxACLCommand));
    }

    @Override
    public Mono<ACLDiff> setACL(Mailbox mailbox, MailboxACL mailboxACL) {
        return invalidating(mailboxes.setACL(mailbox, mailboxACL));
    }

    @Override
    public Mono<Boolean> pathExists(MailboxPath mailboxName) {
        return mailboxes.pathExists(mailboxName);
    }

    @Override
    public Mono<Mailbox> findMailboxById(MailboxId mailboxId) {
        return mailboxes.findMailboxById(mailboxId);
    }

    @Override
    public Flux<Mailbox> findNonPersonalMailboxes(Username userName, MailboxACL.Right right) {
        return mailboxes.findNonPersonalMailboxes(userName, right);
    }

    @Override
    public Flux<Mailbox> findMailboxWithPathLike(MailboxQuery.UserBound query) {
        return mailboxes.findMailboxWithPathLike(query);
    }

    @Override
    public Flux<MailboxId> userMailboxes(Username username) {
        return mailboxes.userMailboxes(username);
    }

    @Override
    public Mono<Boolean> hasChildren(Mailbox mailbox, char delimiter) {
        return mailboxes.hasChildren(mailbox, delimiter);
    }

    @Override
    public Flux<Mailbox> list() {
        return mailboxes.list();
    }

    @Override
    public void endRequest() {
        mailboxes.endRequest();
    }

    @Override
    public <T> T execute(Transaction<T> transaction) throws MailboxException {
        return mailboxes.execute(transaction);
    }

    @Override
    public <T> Mono<T> executeReactive(Mono<T> transaction) {
        return mailboxes.executeReactive(transaction);
    }

    /**
     * Cleared before the change's outcome goes on, so that what the caller does next (James creates a new INBOX right
     * after renaming the old one) looks the store up again; and whether it succeeded or not, since a failed change may
     * have written part of itself.
     */
    private <T> Mono<T> invalidating(Mono<T> change) {
        return change.doOnSuccess(any -> cache.invalidate())
            .doOnError(any -> cache.invalidate())
            .doOnCancel(cache::invalidate);
    }
}
