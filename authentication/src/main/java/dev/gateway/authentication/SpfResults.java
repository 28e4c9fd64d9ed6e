package dev.gateway.authentication;

import java.util.Optional;

import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;

/**
 * The SPF results of one SMTP transaction, computed once at MAIL FROM by {@link SpfCheck} and read at the end of
 * DATA by {@link CheckSenderAuthentication}.
 */
record SpfResults(String mailFrom, String mailFromDomain, String helo, String heloName, Optional<String> explanation) {
    static final AttachmentKey<SpfResults> KEY = AttachmentKey.of("gateway.spf", SpfResults.class);

    String mailFromClause() {
        return "spf=" + mailFrom + " smtp.mailfrom=" + mailFromDomain;
    }

    String heloClause() {
        return "spf=" + helo + " smtp.helo=" + heloName;
    }
}
