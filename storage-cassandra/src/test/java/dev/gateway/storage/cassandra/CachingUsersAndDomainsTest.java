package dev.gateway.storage.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.apache.james.core.Domain;
import org.apache.james.core.Username;
import org.apache.james.domainlist.lib.DomainListConfiguration;
import org.apache.james.domainlist.memory.MemoryDomainList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import reactor.core.publisher.Mono;

/**
 * Two nodes' caches over one store (James's in-heap users and domains standing for the shared keyspace): a change
 * through a node is seen there at once, and on the other node once its answer has expired.
 */
class CachingUsersAndDomainsTest {

    private static final Duration TTL = Duration.ofSeconds(5);
    private static final Username ALICE = Username.of("alice@example.com");
    private static final Domain EXAMPLE = Domain.of("example.com");

    private final TestClock clock = new TestClock();
    private final InHeapUsers users = new InHeapUsers();
    private final CachingUsersDAO usersOnA = new CachingUsersDAO(users, new ShortLivedCache<>(TTL, 100, clock));
    private final CachingUsersDAO usersOnB = new CachingUsersDAO(users, new ShortLivedCache<>(TTL, 100, clock));
    private MemoryDomainList domains;
    private CachingDomainList domainsOnA;
    private CachingDomainList domainsOnB;

    @BeforeEach
    void setUp() throws Exception {
        domains = new MemoryDomainList(null);
        domains.configure(DomainListConfiguration.builder().autoDetect(false).autoDetectIp(false).build());
        domainsOnA = new CachingDomainList(domains, new ShortLivedCache<>(TTL, 100, clock));
        domainsOnB = new CachingDomainList(domains, new ShortLivedCache<>(TTL, 100, clock));
    }

    @Test
    void aUserAddedThroughANodeExistsThereAtOnceAndOnTheOtherNodeWithinTheBound() throws Exception {
        assertThat(usersOnA.contains(ALICE)).isFalse();
        assertThat(usersOnB.contains(ALICE)).isFalse();

        usersOnA.addUser(ALICE, "secret");

        assertThat(usersOnA.contains(ALICE)).isTrue();
        assertThat(usersOnB.contains(ALICE)).isFalse();
        assertThat(Mono.from(usersOnB.containsReactive(ALICE)).block()).isFalse();
        clock.advance(TTL);
        assertThat(usersOnB.contains(ALICE)).isTrue();
    }

    @Test
    void aUserRemovedThroughANodeIsGoneThereAtOnceAndOnTheOtherNodeWithinTheBound() throws Exception {
        usersOnA.addUser(ALICE, "secret");
        assertThat(usersOnB.contains(ALICE)).isTrue();

        usersOnA.removeUser(ALICE);

        assertThat(usersOnA.contains(ALICE)).isFalse();
        assertThat(usersOnB.contains(ALICE)).isTrue();
        clock.advance(TTL);
        assertThat(Mono.from(usersOnB.containsReactive(ALICE)).block()).isFalse();
    }

    @Test
    void aUserIsReadFromTheStoreEveryTime() throws Exception {
        usersOnA.addUser(ALICE, "secret");
        assertThat(usersOnB.contains(ALICE)).isTrue();

        // Passwords are checked on the user read: not cached, so a change is seen at the next login on every node.
        usersOnA.removeUser(ALICE);

        assertThat(usersOnB.getUserByName(ALICE)).isEmpty();
    }

    @Test
    void aDomainAddedOrRemovedThroughANodeIsSeenThereAtOnceAndOnTheOtherNodeWithinTheBound() throws Exception {
        assertThat(domainsOnA.containsDomain(EXAMPLE)).isFalse();
        assertThat(domainsOnB.containsDomain(EXAMPLE)).isFalse();

        domainsOnA.addDomain(EXAMPLE);
        assertThat(domainsOnA.containsDomain(EXAMPLE)).isTrue();
        assertThat(domainsOnB.containsDomain(EXAMPLE)).isFalse();
        clock.advance(TTL);
        assertThat(domainsOnB.containsDomain(EXAMPLE)).isTrue();

        domainsOnA.removeDomain(EXAMPLE);
        assertThat(domainsOnA.containsDomain(EXAMPLE)).isFalse();
        assertThat(domainsOnB.containsDomain(EXAMPLE)).isTrue();
        clock.advance(TTL);
        assertThat(domainsOnB.containsDomain(EXAMPLE)).isFalse();
    }

    @Test
    void withZeroEveryAnswerIsFresh() throws Exception {
        CachingUsersDAO uncachedOnB = new CachingUsersDAO(users, new ShortLivedCache<>(Duration.ZERO, 100, clock));
        assertThat(uncachedOnB.contains(ALICE)).isFalse();

        usersOnA.addUser(ALICE, "secret");

        assertThat(uncachedOnB.contains(ALICE)).isTrue();
    }
}
