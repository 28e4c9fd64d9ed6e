package dev.gateway.smtphooks;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import javax.inject.Inject;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.gateway.routing.RoutingTableVersions.Stored;

/**
 * The per-recipient spam thresholds of a cluster: one document, in {@code spam-thresholds.xml}'s format, for every
 * node on the keyspace, kept as numbered versions in {@link SpamThresholdVersions}. The listeners' file seeds it when
 * nothing is stored yet (and must be valid even when a stored version wins); a document put through any node
 * ({@link #replace}) is validated exactly as the file is, stored as the next version and put in force there; the
 * other nodes put it in force when they next poll ({@link #refresh}). Each listener's own {@code tagThreshold},
 * {@code quarantineThreshold} and {@code rejectThreshold} stay the level the overrides apply over.
 *
 * <p>One instance per server, shared by the spam filters of every listener and the WebAdmin routes.
 */
public class SharedSpamThresholds implements SpamThresholdOverrides {

    private static final Logger LOGGER = LoggerFactory.getLogger(SharedSpamThresholds.class);
    /** The level under the overrides while they are stored and shared; each listener puts its own in its place. */
    private static final SpamThresholds NO_LEVEL = new SpamThresholds(Double.POSITIVE_INFINITY,
        Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);

    /** The document in force on this node, its version and what it sets. */
    public record InForce(long version, String xml, int domains, int users) {
    }

    private record Parsed(long version, String xml, RecipientSpamThresholds overrides) {
        InForce describe() {
            return new InForce(version, xml, overrides.domainCount(), overrides.userCount());
        }
    }

    private final SpamThresholdVersions versions;
    private final AtomicReference<Parsed> current = new AtomicReference<>();
    /** A stored version this node could not parse: reported once, not at every poll. */
    private volatile long refusedVersion;

    @Inject
    public SharedSpamThresholds(SpamThresholdVersions versions) {
        this.versions = versions;
    }

    @Override
    public synchronized Supplier<RecipientSpamThresholds> inForce(RecipientSpamThresholds fromFile, String xml)
            throws ConfigurationException {
        if (current.get() == null) {
            Stored stored = versions.seed(xml);
            install(stored.version(), stored.yaml(), parse(stored.yaml(), "stored spam thresholds version " + stored.version()));
        }
        SpamThresholds listener = fromFile.defaults();
        return () -> current.get().overrides().withDefaults(listener);
    }

    /** The document in force, once a listener has seeded it (empty before, or when no spam filter reads thresholds). */
    public Optional<InForce> inForce() {
        return Optional.ofNullable(current.get()).map(Parsed::describe);
    }

    /**
     * Validates {@code xml} as the thresholds file is validated, stores it as the next version and puts it in force
     * here; the other nodes follow when they next poll. An invalid document changes nothing.
     */
    public synchronized InForce replace(String xml) throws ConfigurationException {
        RecipientSpamThresholds overrides;
        try {
            overrides = parse(xml, "uploaded spam thresholds");
        } catch (ConfigurationException e) {
            LOGGER.warn("Spam thresholds upload refused, version {} stays in force: {}", version(), e.getMessage());
            throw e;
        }
        Stored stored = versions.storeNext(xml);
        install(stored.version(), xml, overrides);
        return current.get().describe();
    }

    /**
     * Puts the newest stored version in force when it is newer than this node's. A stored version this node cannot
     * parse (a newer Gateway wrote it) is logged once and skipped: the document in force stays.
     */
    public synchronized void refresh() {
        Parsed now = current.get();
        if (now == null) {
            return;
        }
        versions.latest()
            .filter(stored -> stored.version() > now.version() && stored.version() != refusedVersion)
            .ifPresent(stored -> {
                try {
                    install(stored.version(), stored.yaml(), parse(stored.yaml(), "stored spam thresholds version " + stored.version()));
                } catch (ConfigurationException e) {
                    refusedVersion = stored.version();
                    LOGGER.error("Stored spam thresholds version {} refused on this node, version {} stays in force: {}",
                        stored.version(), now.version(), e.getMessage());
                }
            });
    }

    private long version() {
        Parsed now = current.get();
        return now == null ? 0 : now.version();
    }

    private void install(long version, String xml, RecipientSpamThresholds overrides) {
        current.set(new Parsed(version, xml, overrides));
        LOGGER.info("Spam thresholds version {} in force (shared): {} domain and {} address override(s)", version,
            overrides.domainCount(), overrides.userCount());
    }

    private static RecipientSpamThresholds parse(String xml, String source) throws ConfigurationException {
        return RecipientSpamThresholds.read(NO_LEVEL, new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), source);
    }
}
