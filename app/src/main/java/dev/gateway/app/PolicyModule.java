package dev.gateway.app;

import com.google.inject.AbstractModule;
import com.google.inject.Scopes;
import com.google.inject.multibindings.Multibinder;

import org.apache.james.core.healthcheck.HealthCheck;

import dev.gateway.smtphooks.InMemoryWindowedCounters;
import dev.gateway.smtphooks.SpamEngineHealthCheck;
import dev.gateway.smtphooks.SpamEngineStatus;
import dev.gateway.smtphooks.SpamThresholdOverrides;
import dev.gateway.smtphooks.WindowedCounters;

/**
 * What Gateway's SMTP hooks share across listeners: one set of counters for lockouts and sending limits, so
 * that failing on port 587 and then trying port 465 counts as one attacker; and one view of the spam engines the
 * spam filters of every listener use, which {@code /healthcheck} reports.
 */
final class PolicyModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(InMemoryWindowedCounters.class).in(Scopes.SINGLETON);
        bind(WindowedCounters.class).to(InMemoryWindowedCounters.class);
        bind(SpamEngineStatus.class).in(Scopes.SINGLETON);
        bind(SpamThresholdOverrides.class).toInstance(SpamThresholdOverrides.FROM_FILE);
        Multibinder.newSetBinder(binder(), HealthCheck.class).addBinding().to(SpamEngineHealthCheck.class);
    }
}
