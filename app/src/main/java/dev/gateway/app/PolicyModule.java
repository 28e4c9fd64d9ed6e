package dev.gateway.app;

import com.google.inject.AbstractModule;
import com.google.inject.Scopes;

import dev.gateway.smtphooks.InMemoryWindowedCounters;
import dev.gateway.smtphooks.WindowedCounters;

/**
 * What Gateway's SMTP hooks share across listeners: one set of counters for lockouts and sending limits, so
 * that failing on port 587 and then trying port 465 counts as one attacker.
 */
final class PolicyModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(InMemoryWindowedCounters.class).in(Scopes.SINGLETON);
        bind(WindowedCounters.class).to(InMemoryWindowedCounters.class);
    }
}
