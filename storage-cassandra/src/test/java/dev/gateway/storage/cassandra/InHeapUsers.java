package dev.gateway.storage.cassandra;

import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.james.core.Username;
import org.apache.james.user.api.model.User;
import org.apache.james.user.lib.UsersDAO;
import org.apache.james.user.lib.model.Algorithm;
import org.apache.james.user.lib.model.DefaultUser;

/** The users' rows of one keyspace, in the heap: what two nodes' caches share in the tests (James's in-heap DAO is not public). */
final class InHeapUsers implements UsersDAO {

    private final Map<Username, User> users = new ConcurrentHashMap<>();

    @Override
    public Optional<? extends User> getUserByName(Username name) {
        return Optional.ofNullable(users.get(name));
    }

    @Override
    public void updateUser(User user) {
        users.put(user.getUserName(), user);
    }

    @Override
    public void removeUser(Username name) {
        users.remove(name);
    }

    @Override
    public boolean contains(Username name) {
        return users.containsKey(name);
    }

    @Override
    public int countUsers() {
        return users.size();
    }

    @Override
    public Iterator<Username> list() {
        return users.keySet().iterator();
    }

    @Override
    public void addUser(Username username, String password) {
        Algorithm algorithm = Algorithm.of("SHA-512");
        DefaultUser user = new DefaultUser(username, algorithm, algorithm);
        user.setPassword(password);
        users.put(username, user);
    }
}
