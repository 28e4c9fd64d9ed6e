package dev.gateway.storage.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import org.apache.james.core.Username;
import org.apache.james.sieve.cassandra.CassandraActiveScriptDAO;
import org.apache.james.sieve.cassandra.CassandraSieveRepositoryModule;
import org.apache.james.sieve.cassandra.model.ActiveScriptInfo;
import org.apache.james.sieverepository.api.ScriptName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.datastax.oss.driver.api.core.CqlSession;

import dev.gateway.queue.cassandra.CassandraExtension;

/**
 * Two nodes' {@link CachingActiveScriptDAO}s over one keyspace on a real Cassandra, each with its own cache on a
 * clock the test moves, and James's plain DAO writing {@code sieve_active} behind their backs (as another node
 * would): an answer, "no active script" included, is served from the cache within the bound and read again after it;
 * a change through a node is seen there at once and on the other node only after the bound; with a bound of 0 every
 * call reads.
 */
class CachingActiveScriptDAOIT {

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    private static final Duration TTL = Duration.ofSeconds(5);
    private static final Duration JUST_UNDER = TTL.minusMillis(1);
    private static final ScriptName AWAY = new ScriptName("away");
    private static final ScriptName LISTS = new ScriptName("lists");
    private static CqlSession session;

    private final TestClock clock = new TestClock();
    // Each test its own user: the keyspace is shared by the class's tests.
    private final Username alice = Username.of("alice-" + UUID.randomUUID() + "@example.com");
    private CachingActiveScriptDAO nodeA;
    private CachingActiveScriptDAO nodeB;
    private CassandraActiveScriptDAO behindTheirBacks;

    @BeforeAll
    static void openSession() {
        session = CASSANDRA.server().session("caching_active_script", CassandraSieveRepositoryModule.MODULE);
    }

    @AfterAll
    static void closeSession() {
        session.close();
    }

    @BeforeEach
    void setUp() {
        nodeA = new CachingActiveScriptDAO(session, new ShortLivedCache<>(TTL, 100, clock));
        nodeB = new CachingActiveScriptDAO(session, new ShortLivedCache<>(TTL, 100, clock));
        behindTheirBacks = new CassandraActiveScriptDAO(session);
    }

    @Test
    void noActiveScriptIsKeptForTheBoundAndAScriptActivatedBehindTheNodesBackIsSeenAfterIt() {
        assertThat(active(nodeA)).as("before any activation").isEmpty();

        behindTheirBacks.activate(alice, AWAY).block();

        assertThat(active(behindTheirBacks)).as("in Cassandra").contains(AWAY);
        assertThat(active(nodeA)).as("the node's kept answer, at once").isEmpty();
        clock.advance(JUST_UNDER);
        assertThat(active(nodeA)).as("the node's kept answer, just under the bound").isEmpty();
        clock.advance(TTL.minus(JUST_UNDER));
        assertThat(active(nodeA)).as("read again at the bound").contains(AWAY);
    }

    @Test
    void anActiveScriptIsKeptForTheBoundAndItsDeactivationBehindTheNodesBackIsSeenAfterIt() {
        behindTheirBacks.activate(alice, AWAY).block();
        assertThat(active(nodeA)).contains(AWAY);

        behindTheirBacks.unActivate(alice).block();

        assertThat(active(nodeA)).as("the node's kept answer, at once").contains(AWAY);
        clock.advance(JUST_UNDER);
        assertThat(active(nodeA)).as("the node's kept answer, just under the bound").contains(AWAY);
        clock.advance(TTL.minus(JUST_UNDER));
        assertThat(active(nodeA)).as("read again at the bound").isEmpty();
    }

    @Test
    void aScriptActivatedThroughANodeRunsThereAtOnceAndOnTheOtherNodeAfterTheBound() {
        assertThat(active(nodeA)).isEmpty();
        assertThat(active(nodeB)).isEmpty();

        nodeA.activate(alice, AWAY).block();

        assertThat(active(nodeA)).as("on the node it was activated through").contains(AWAY);
        clock.advance(JUST_UNDER);
        assertThat(active(nodeB)).as("on the other node, just under the bound").isEmpty();
        clock.advance(TTL.minus(JUST_UNDER));
        assertThat(active(nodeB)).as("on the other node, at the bound").contains(AWAY);
    }

    @Test
    void aScriptDeactivatedOrReplacedThroughANodeStopsThereAtOnceAndOnTheOtherNodeAfterTheBound() {
        nodeA.activate(alice, AWAY).block();
        assertThat(active(nodeA)).contains(AWAY);
        assertThat(active(nodeB)).contains(AWAY);

        nodeA.unActivate(alice).block();

        assertThat(active(nodeA)).as("deactivated, on the node it was deactivated through").isEmpty();
        clock.advance(JUST_UNDER);
        assertThat(active(nodeB)).as("deactivated, on the other node just under the bound").contains(AWAY);
        clock.advance(TTL.minus(JUST_UNDER));
        assertThat(active(nodeB)).as("deactivated, on the other node at the bound").isEmpty();
        // A's answer read now, so that it is still within its bound when B activates.
        assertThat(active(nodeA)).isEmpty();

        nodeB.activate(alice, LISTS).block();

        assertThat(active(nodeB)).as("replaced, on the node it was activated through").contains(LISTS);
        assertThat(active(nodeA)).as("replaced, on the other node at once").isEmpty();
        clock.advance(TTL);
        assertThat(active(nodeA)).as("replaced, on the other node at the bound").contains(LISTS);
    }

    @Test
    void withABoundOfZeroEveryCallReads() {
        CachingActiveScriptDAO uncached =
            new CachingActiveScriptDAO(session, new ShortLivedCache<>(Duration.ZERO, 100, clock));
        assertThat(active(uncached)).isEmpty();

        behindTheirBacks.activate(alice, AWAY).block();

        assertThat(active(uncached)).as("activated behind its back").contains(AWAY);

        behindTheirBacks.unActivate(alice).block();

        assertThat(active(uncached)).as("deactivated behind its back").isEmpty();
    }

    private Optional<ScriptName> active(CassandraActiveScriptDAO dao) {
        return dao.getActiveScriptInfo(alice).blockOptional().map(ActiveScriptInfo::getName);
    }
}
