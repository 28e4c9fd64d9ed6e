package dev.gateway.storage.cassandra;

import java.util.Iterator;
import java.util.Optional;

import org.apache.james.core.Username;
import org.apache.james.user.api.UsersRepositoryException;
import org.apache.james.user.api.model.User;
import org.apache.james.user.lib.UsersDAO;
import org.reactivestreams.Publisher;

/**
 * The users' storage with "does this user exist" answered from a {@link ShortLivedCache}: the recipient check at
 * RCPT and the local-delivery matchers and mailets each asked Cassandra again for every recipient of every message.
 *
 * <p>Only existence is cached. Reading a user ({@link #getUserByName}) still goes to Cassandra every time, so a
 * password changed or a user removed through any node is refused at the next login, not after the cache's bound.
 */
public final class CachingUsersDAO implements UsersDAO {

    private final UsersDAO users;
    private final ShortLivedCache<Username, Boolean> contains;

    public CachingUsersDAO(UsersDAO users, ShortLivedCache<Username, Boolean> contains) {
        this.users = users;
        this.contains = contains;
    }

    @Override
    public boolean contains(Username name) throws UsersRepositoryException {
        return contains.get(name, () -> users.contains(name));
    }

    @Override
    public Publisher<Boolean> containsReactive(Username name) {
        return contains.getReactive(name, () -> users.containsReactive(name));
    }

    @Override
    public boolean getDefaultVirtualHostingValue() {
        return users.getDefaultVirtualHostingValue();
    }

    @Override
    public Optional<? extends User> getUserByName(Username name) throws UsersRepositoryException {
        return users.getUserByName(name);
    }

    @Override
    public void updateUser(User user) throws UsersRepositoryException {
        try {
            users.updateUser(user);
        } finally {
            contains.invalidateAll();
        }
    }

    @Override
    public void removeUser(Username name) throws UsersRepositoryException {
        try {
            users.removeUser(name);
        } finally {
            contains.invalidateAll();
        }
    }

    @Override
    public void addUser(Username username, String password) throws UsersRepositoryException {
        try {
            users.addUser(username, password);
        } finally {
            contains.invalidateAll();
        }
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
}
