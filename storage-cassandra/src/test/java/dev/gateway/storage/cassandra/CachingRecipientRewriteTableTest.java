package dev.gateway.storage.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.core.Domain;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.apache.james.rrt.api.RecipientRewriteTableConfiguration;
import org.apache.james.rrt.lib.Mapping;
import org.apache.james.rrt.lib.MappingSource;
import org.apache.james.rrt.lib.Mappings;
import org.apache.james.rrt.memory.MemoryRecipientRewriteTable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two nodes' caches over one rewrite table (James's in-heap one standing for the shared keyspace). */
class CachingRecipientRewriteTableTest {

    private static final Duration TTL = Duration.ofSeconds(5);
    private static final Domain EXAMPLE = Domain.of("example.com");
    private static final MappingSource BOB = MappingSource.fromUser("bob", EXAMPLE);

    /** James's in-heap table, counting the resolutions that reach it (what Cassandra would have served). */
    private static final class CountingTable extends MemoryRecipientRewriteTable {
        final AtomicInteger lookups = new AtomicInteger();

        @Override
        protected Mappings mapAddress(String user, Domain domain) {
            lookups.incrementAndGet();
            return super.mapAddress(user, domain);
        }
    }

    private final TestClock clock = new TestClock();
    private final CountingTable table = new CountingTable();
    private CachingRecipientRewriteTable onA;
    private CachingRecipientRewriteTable onB;

    @BeforeEach
    void setUp() {
        table.setConfiguration(RecipientRewriteTableConfiguration.DEFAULT_ENABLED);
        onA = new CachingRecipientRewriteTable(table, new ShortLivedCache<>(TTL, 100, clock));
        onB = new CachingRecipientRewriteTable(table, new ShortLivedCache<>(TTL, 100, clock));
    }

    @Test
    void aResolutionIsLookedUpOnceWithinTheBound() throws Exception {
        assertThat(onB.getResolvedMappings("bob", EXAMPLE).isEmpty()).isTrue();
        assertThat(onB.getResolvedMappings("bob", EXAMPLE).isEmpty()).isTrue();
        assertThat(table.lookups).hasValue(1);

        // Another set of mapping types is another question.
        onB.getResolvedMappings("bob", EXAMPLE, EnumSet.of(Mapping.Type.Alias));
        assertThat(table.lookups).hasValue(2);
    }

    @Test
    void aMappingAddedThroughANodeAppliesThereAtOnceAndOnTheOtherWithinTheBound() throws Exception {
        assertThat(onA.getResolvedMappings("bob", EXAMPLE).isEmpty()).isTrue();
        assertThat(onB.getResolvedMappings("bob", EXAMPLE).isEmpty()).isTrue();

        onA.addMapping(BOB, Mapping.error("gone"));

        assertThatThrownBy(() -> onA.getResolvedMappings("bob", EXAMPLE)).isInstanceOf(RecipientRewriteTable.ErrorMappingException.class);
        assertThat(onB.getResolvedMappings("bob", EXAMPLE).isEmpty()).as("B, within the bound").isTrue();
        clock.advance(TTL);
        assertThatThrownBy(() -> onB.getResolvedMappings("bob", EXAMPLE)).isInstanceOf(RecipientRewriteTable.ErrorMappingException.class);
    }

    @Test
    void errorsAreNotKept() throws Exception {
        table.addMapping(BOB, Mapping.error("gone"));

        assertThatThrownBy(() -> onA.getResolvedMappings("bob", EXAMPLE)).isInstanceOf(RecipientRewriteTable.ErrorMappingException.class);
        assertThatThrownBy(() -> onA.getResolvedMappings("bob", EXAMPLE)).isInstanceOf(RecipientRewriteTable.ErrorMappingException.class);

        assertThat(table.lookups).hasValue(2);
    }

    @Test
    void withZeroEveryResolutionIsALookup() throws Exception {
        CachingRecipientRewriteTable uncached = new CachingRecipientRewriteTable(table, new ShortLivedCache<>(Duration.ZERO, 100, clock));

        uncached.getResolvedMappings("bob", EXAMPLE);
        uncached.getResolvedMappings("bob", EXAMPLE);

        assertThat(table.lookups).hasValue(2);
    }
}
