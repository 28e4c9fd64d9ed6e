package dev.gateway.authentication.dmarc;

import java.util.Optional;

/**
 * The DMARC outcome: {@code result} (pass, fail, none, temperror, permerror), the From domain, the published policy
 * that applied ({@code p=} or, for a subdomain, {@code sp=}) and the disposition after {@code pct} sampling (none,
 * quarantine, reject; always none unless the result is fail).
 */
public record DmarcResult(String result, String fromDomain, String disposition, Optional<String> policy,
                          Optional<String> reason) {

    static DmarcResult of(String result, String fromDomain, String disposition, String policy, String reason) {
        return new DmarcResult(result, fromDomain, disposition, Optional.ofNullable(policy), Optional.ofNullable(reason));
    }

    /** This result with its disposition waived by a local policy (RFC 7489 section 6.7), saying why. */
    public DmarcResult overridden(String why) {
        return new DmarcResult(result, fromDomain, "none", policy, Optional.of("local override: " + why));
    }

    /** The method clause of an Authentication-Results field. */
    public String resinfo() {
        StringBuilder clause = new StringBuilder("dmarc=").append(result);
        if (policy.isPresent()) {
            clause.append(" (p=").append(policy.get()).append(" dis=").append(disposition);
            reason.ifPresent(why -> clause.append(", ").append(why.replaceAll("[()\\\\\r\n]", " ")));
            clause.append(')');
        } else {
            reason.ifPresent(why -> clause.append(" (").append(why.replaceAll("[()\\\\\r\n]", " ")).append(')'));
        }
        if (!fromDomain.isEmpty()) {
            clause.append(" header.from=").append(fromDomain);
        }
        return clause.toString();
    }
}
