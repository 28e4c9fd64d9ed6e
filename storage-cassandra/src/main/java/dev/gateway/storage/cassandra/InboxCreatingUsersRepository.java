package dev.gateway.storage.cassandra;

import java.util.Iterator;

import javax.inject.Inject;
import javax.inject.Provider;

import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.MailboxExistsException;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.api.UsersRepositoryException;
import org.apache.james.user.api.model.User;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users repository of the Cassandra backend, which makes a new user's INBOX before the user exists, whatever
 * creates the user (WebAdmin {@code PUT /users/...}, the launcher, any code using {@link UsersRepository}).
 *
 * <p>Why: left to the first deliveries, the INBOX is created by whichever delivery comes first, and several at once
 * (two nodes, several spooler threads) race to create it. James 3.8.1 on Cassandra then keeps one of the mailboxes
 * they made and drops the others with the messages already stored in them ("created concurrently" in the log). Made
 * here, on the one thread that adds the user, the INBOX exists before the user can receive anything: a recipient
 * is valid only once the user exists.
 *
 * <p>Bound in place of James's repository, which it wraps: {@code bind(UsersRepository.class).to(
 * InboxCreatingUsersRepository.class)}, with the wrapped one bound under {@code @Named(WRAPPED)}. No configuration.
 */
public final class InboxCreatingUsersRepository implements UsersRepository {

    /** The name under which the repository this one wraps is bound. */
    public static final String WRAPPED = "inbox-creating-users-repository.wrapped";

    private static final Logger LOGGER = LoggerFactory.getLogger(InboxCreatingUsersRepository.class);

    private final UsersRepository users;
    // A provider: James's mailbox manager itself depends on the users repository (through its authorizator).
    private final Provider<MailboxManager> mailboxes;

    @Inject
    public InboxCreatingUsersRepository(@javax.inject.Named(WRAPPED) UsersRepository users, Provider<MailboxManager> mailboxes) {
        this.users = users;
        this.mailboxes = mailboxes;
    }

    @Override
    public void addUser(Username username, String password) throws UsersRepositoryException {
        // Validated first, so that a refused name leaves no mailbox behind; an existing user is refused below as usual.
        if (!users.contains(username)) {
            users.assertValid(username);
            createInbox(username);
        }
        users.addUser(username, password);
    }

    private void createInbox(Username username) throws UsersRepositoryException {
        MailboxManager manager = mailboxes.get();
        MailboxSession session = manager.createSystemSession(username);
        try {
            manager.createMailbox(MailboxPath.inbox(username), session);
            LOGGER.info("INBOX of {} created with the user", username.asString());
        } catch (MailboxExistsException kept) {
            // A user removed and added again: James keeps mailboxes when a user is removed.
        } catch (MailboxException e) {
            throw new UsersRepositoryException("could not create the INBOX of " + username.asString() + "; the user is not added", e);
        } finally {
            manager.endProcessingRequest(session);
        }
    }

    @Override
    public User getUserByName(Username name) throws UsersRepositoryException {
        return users.getUserByName(name);
    }

    @Override
    public void updateUser(User user) throws UsersRepositoryException {
        users.updateUser(user);
    }

    @Override
    public void removeUser(Username name) throws UsersRepositoryException {
        users.removeUser(name);
    }

    @Override
    public boolean contains(Username name) throws UsersRepositoryException {
        return users.contains(name);
    }

    @Override
    public Publisher<Boolean> containsReactive(Username name) {
        return users.containsReactive(name);
    }

    @Override
    public boolean test(Username name, String password) throws UsersRepositoryException {
        return users.test(name, password);
    }

    @Override
    public int countUsers() throws UsersRepositoryException {
        return users.countUsers();
    }

    @Override
    public Iterator<Username> list() throws UsersRepositoryException {
        return users.list();
    }

    @Override
    public Publisher<Username> listReactive() {
        return users.listReactive();
    }

    @Override
    public boolean supportVirtualHosting() throws UsersRepositoryException {
        return users.supportVirtualHosting();
    }

    @Override
    public Username getUsername(MailAddress mailAddress) throws UsersRepositoryException {
        return users.getUsername(mailAddress);
    }

    @Override
    public MailAddress getMailAddressFor(Username username) throws UsersRepositoryException {
        return users.getMailAddressFor(username);
    }

    @Override
    public boolean isAdministrator(Username username) throws UsersRepositoryException {
        return users.isAdministrator(username);
    }

    @Override
    public boolean isReadOnly() {
        return users.isReadOnly();
    }

    @Override
    public void assertValid(Username username) throws UsersRepositoryException {
        users.assertValid(username);
    }
}
