package dev.gateway.storage.cassandra;

import javax.inject.Inject;

import com.datastax.oss.driver.api.core.CqlSession;

import dev.gateway.smtphooks.SpamThresholdVersions;

/**
 * The cluster's per-recipient spam thresholds (docs/smtp-hooks/spam-filter.md), versioned beside the routing table:
 * the same table and the same storing rules, in a partition of their own.
 */
public final class CassandraSpamThresholdVersions extends CassandraRoutingTableVersions implements SpamThresholdVersions {

    static final String SPAM_THRESHOLDS = "spam-thresholds";

    @Inject
    public CassandraSpamThresholdVersions(CqlSession session) {
        super(session, SPAM_THRESHOLDS);
    }
}
