package dev.gateway.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MailAddress;
import org.apache.james.metrics.dropwizard.DropWizardMetricFactory;
import org.apache.james.server.core.JamesServerResourceLoader;
import org.apache.james.server.core.configuration.Configuration;
import org.apache.james.server.core.filesystem.FileSystemImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.codahale.metrics.MetricRegistry;

/**
 * Two nodes' {@link SharedSpamThresholds} over one store of versions (the heap stands in for Cassandra, whose store
 * ClusterPolicyTwoNodesIT runs): seeding, a change through one node, the other following at its poll, and a
 * {@link SpamFilter} looking its recipients up there.
 */
class SharedSpamThresholdsTest {

    private static final SpamThresholds MX = new SpamThresholds(5, 10, 15);
    private static final String STRICT = """
        <thresholds>
            <domain name="strict.example" quarantine="6.0"/>
        </thresholds>
        """;
    private static final String STRICTER = """
        <thresholds>
            <domain name="strict.example" quarantine="4.0"/>
            <user address="ceo@strict.example" reject="off"/>
        </thresholds>
        """;

    /** Versions in the order stored, as {@code CassandraSpamThresholdVersions} keeps them. */
    private static final class HeapVersions implements SpamThresholdVersions {
        private final List<String> documents = new ArrayList<>();

        @Override
        public synchronized Optional<Stored> latest() {
            return documents.isEmpty() ? Optional.empty() : Optional.of(new Stored(documents.size(), documents.get(documents.size() - 1)));
        }

        @Override
        public synchronized Stored storeNext(String yaml) {
            documents.add(yaml);
            return latest().orElseThrow();
        }

        @Override
        public synchronized Stored seed(String yaml) {
            if (documents.isEmpty()) {
                documents.add(yaml);
            }
            return latest().orElseThrow();
        }
    }

    private final HeapVersions versions = new HeapVersions();
    private final SharedSpamThresholds nodeA = new SharedSpamThresholds(versions);
    private final SharedSpamThresholds nodeB = new SharedSpamThresholds(versions);

    private static Supplier<RecipientSpamThresholds> listener(SharedSpamThresholds node, SpamThresholds level, String file)
            throws ConfigurationException {
        RecipientSpamThresholds fromFile = RecipientSpamThresholds.read(level,
            new ByteArrayInputStream(file.getBytes(StandardCharsets.UTF_8)), "spam-thresholds.xml");
        return node.inForce(fromFile, file);
    }

    private static double quarantine(Supplier<RecipientSpamThresholds> listener, String recipient) throws Exception {
        return listener.get().forRecipient(new MailAddress(recipient)).quarantine();
    }

    @Test
    void theFirstNodeSeedsAndALaterNodesOwnFileDoesNotWin() throws Exception {
        Supplier<RecipientSpamThresholds> onA = listener(nodeA, MX, STRICT);
        Supplier<RecipientSpamThresholds> onB = listener(nodeB, MX, "<thresholds></thresholds>");

        assertThat(quarantine(onA, "x@strict.example")).isEqualTo(6.0);
        assertThat(quarantine(onB, "x@strict.example")).as("version 1, seeded by A").isEqualTo(6.0);
        assertThat(nodeB.inForce()).get().extracting(SharedSpamThresholds.InForce::version).isEqualTo(1L);
    }

    @Test
    void aChangeThroughOneNodeIsInForceThereAtOnceAndOnTheOtherAtItsPoll() throws Exception {
        Supplier<RecipientSpamThresholds> onA = listener(nodeA, MX, STRICT);
        // Node B's listener has its own level: the shared overrides apply over it, threshold by threshold.
        Supplier<RecipientSpamThresholds> onB = listener(nodeB, new SpamThresholds(3, 8, 12), STRICT);

        assertThat(nodeA.replace(STRICTER).version()).isEqualTo(2);
        assertThat(quarantine(onA, "x@strict.example")).isEqualTo(4.0);
        assertThat(quarantine(onB, "x@strict.example")).as("B has not polled yet").isEqualTo(6.0);

        nodeB.refresh();
        assertThat(quarantine(onB, "x@strict.example")).isEqualTo(4.0);
        assertThat(onB.get().forRecipient(new MailAddress("ceo@strict.example")))
            .isEqualTo(new SpamThresholds(3, 4, Double.POSITIVE_INFINITY));
        assertThat(onB.get().forRecipient(new MailAddress("x@other.example"))).as("B's own level").isEqualTo(new SpamThresholds(3, 8, 12));
        assertThat(nodeB.inForce()).get().isEqualTo(new SharedSpamThresholds.InForce(2, STRICTER, 1, 1));
    }

    @Test
    void aSpamFilterLooksRecipientsUpInTheSharedDocumentItsFileSeeded(@TempDir Path home) throws Exception {
        Path file = Files.writeString(home.resolve("spam-thresholds.xml"), STRICT);
        BaseHierarchicalConfiguration configuration = new BaseHierarchicalConfiguration();
        configuration.addProperty("thresholdsFile", file.toString());
        SpamFilter filter = new SpamFilter(Clock.systemUTC(), new FileSystemImpl(new JamesServerResourceLoader(home.toString())),
            new Configuration.ConfigurationPath("file://" + home + "/"), new SpamEngineStatus(),
            new SpamMetrics(new DropWizardMetricFactory(new MetricRegistry())), nodeA);
        filter.init(configuration);
        MailAddress ceo = new MailAddress("ceo@strict.example");
        assertThat(filter.thresholdsFor(ceo)).as("seeded from its file").isEqualTo(new SpamThresholds(5, 6, 15));

        nodeB.replace(STRICTER);
        assertThat(filter.thresholdsFor(ceo)).as("node A has not polled yet").isEqualTo(new SpamThresholds(5, 6, 15));
        nodeA.refresh();

        assertThat(filter.thresholdsFor(ceo)).isEqualTo(new SpamThresholds(5, 4, Double.POSITIVE_INFINITY));
    }

    @Test
    void anInvalidDocumentIsRefusedNamingTheEntryAndNothingIsStored() throws Exception {
        Supplier<RecipientSpamThresholds> onA = listener(nodeA, MX, STRICT);

        assertThatThrownBy(() -> nodeA.replace("<thresholds><user address=\"ceo@strict.example\" quarantine=\"lots\"/></thresholds>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("<user address=\"ceo@strict.example\" quarantine=\"lots\">")
            .hasMessageContaining("neither a number nor off");

        assertThat(versions.latest()).get().extracting(SpamThresholdVersions.Stored::version).isEqualTo(1L);
        assertThat(quarantine(onA, "x@strict.example")).isEqualTo(6.0);
    }

    @Test
    void aStoredVersionThisNodeCannotReadIsSkippedAndTheOneInForceStays() throws Exception {
        Supplier<RecipientSpamThresholds> onA = listener(nodeA, MX, STRICT);
        versions.storeNext("<thresholds><domain name=\"strict.example\" spamicity=\"3\"/></thresholds>");

        nodeA.refresh();

        assertThat(nodeA.inForce()).get().extracting(SharedSpamThresholds.InForce::version).isEqualTo(1L);
        assertThat(quarantine(onA, "x@strict.example")).isEqualTo(6.0);
    }
}
