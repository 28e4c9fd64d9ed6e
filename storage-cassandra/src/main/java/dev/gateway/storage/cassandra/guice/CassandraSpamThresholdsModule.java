package dev.gateway.storage.cassandra.guice;

import static dev.gateway.queue.cassandra.guice.DurationSettings.duration;

import java.io.FileNotFoundException;
import java.time.Duration;

import javax.inject.Singleton;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.utils.PropertiesProvider;
import org.apache.james.webadmin.Routes;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;

import dev.gateway.operations.SpamThresholdsRoutes;
import dev.gateway.smtphooks.SharedSpamThresholds;
import dev.gateway.smtphooks.SpamThresholdOverrides;
import dev.gateway.smtphooks.SpamThresholdVersions;
import dev.gateway.storage.cassandra.CassandraSpamThresholdVersions;

/**
 * The per-recipient spam thresholds of a node that keeps its data in Cassandra: one versioned document for every
 * node on the keyspace (beside the routing table's versions, whose table {@link CassandraRoutingModule} creates),
 * seeded from the listeners' file, changed through {@code PUT /spam/thresholds} on any node, and polled every
 * {@code cassandra.spam.thresholds.poll} (default 2 s, in {@code cassandra.properties})
 * (docs/smtp-hooks/spam-filter.md). Binds {@link SpamThresholdVersions}, {@link SpamThresholdOverrides} (overriding
 * the file-only ones) and the WebAdmin routes {@link SpamThresholdsRoutes}.
 */
public final class CassandraSpamThresholdsModule extends AbstractModule {

    static final Duration DEFAULT_POLL = Duration.ofSeconds(2);

    @Override
    protected void configure() {
        bind(SpamThresholdVersions.class).to(CassandraSpamThresholdVersions.class);
        bind(SpamThresholdOverrides.class).to(SharedSpamThresholds.class);
        Multibinder.newSetBinder(binder(), Routes.class).addBinding().to(SpamThresholdsRoutes.class);
    }

    @Provides
    @Singleton
    SharedSpamThresholds sharedSpamThresholds(SpamThresholdVersions versions, PropertiesProvider properties)
            throws ConfigurationException, FileNotFoundException {
        Duration poll = duration(properties.getConfiguration("cassandra"), "cassandra.spam.thresholds.poll", DEFAULT_POLL);
        SharedSpamThresholds thresholds = new SharedSpamThresholds(versions);
        Polling.every(poll, "spam-thresholds-poll", "spam thresholds", thresholds::refresh);
        return thresholds;
    }
}
