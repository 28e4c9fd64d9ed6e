package dev.gateway.storage.cassandra;

import java.util.Optional;

import org.apache.james.core.Username;
import org.apache.james.sieve.cassandra.CassandraActiveScriptDAO;
import org.apache.james.sieve.cassandra.model.ActiveScriptInfo;
import org.apache.james.sieverepository.api.ScriptName;

import com.datastax.oss.driver.api.core.CqlSession;

import reactor.core.publisher.Mono;

/**
 * James's {@code sieve_active} table with a user's active script (its name and activation date) answered from a
 * {@link ShortLivedCache}: the Sieve mailet asks for it for every recipient of every delivered message (James's
 * {@code ResourceLocator} asks the repository for the activation date, then for the script), one read of
 * {@code sieve_active} per message, and most users have no script at all. So "no active script" is kept as well;
 * a failed read is not.
 *
 * <p>The promise: a script activated or deactivated through ManageSieve on this node (the only way to change it:
 * WebAdmin has no Sieve routes here) runs, or stops running, here at once: {@link #activate} and {@link #unActivate}
 * clear this node's cache, and an answer read while one was under way is not kept. Activated or deactivated through
 * another node, it takes effect here within the cache's bound ({@code cassandra.lookup.cache.ttl}). James's
 * {@code CassandraSieveRepository} also asks this DAO which script is active when a script is activated, renamed or
 * deleted; on the node where the user makes those changes its answers stay exact for the same reason.
 */
public final class CachingActiveScriptDAO extends CassandraActiveScriptDAO {

    // Optional: an absent script is an answer to keep, and the cache holds no nulls.
    private final ShortLivedCache<Username, Optional<ActiveScriptInfo>> active;

    public CachingActiveScriptDAO(CqlSession session, ShortLivedCache<Username, Optional<ActiveScriptInfo>> active) {
        super(session);
        this.active = active;
    }

    @Override
    public Mono<ActiveScriptInfo> getActiveScriptInfo(Username username) {
        return active.getReactive(username, () -> super.getActiveScriptInfo(username)
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty()))
            .flatMap(Mono::justOrEmpty);
    }

    @Override
    public Mono<Void> unActivate(Username username) {
        return clearingAfter(super.unActivate(username));
    }

    @Override
    public Mono<Void> activate(Username username, ScriptName scriptName) {
        return clearingAfter(super.activate(username, scriptName));
    }

    // Cleared before completion reaches the caller (doFinally would run after a blocked caller was released and
    // could have read the old answer again), and on failure or cancellation too: the write may have landed anyway.
    private Mono<Void> clearingAfter(Mono<Void> write) {
        return write
            .doOnTerminate(active::invalidateAll)
            .doOnCancel(active::invalidateAll);
    }
}
