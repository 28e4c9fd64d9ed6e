package dev.gateway.authentication.dkim;

import java.util.Optional;

/**
 * The outcome for one DKIM-Signature field, in RFC 8601's words: pass, fail, policy (valid but not acceptable
 * here, e.g. rsa-sha1 or unsigned text after l=), neutral, temperror, permerror.
 */
public record DkimResult(String result, String domain, String selector, String algorithm, String signaturePrefix,
                         Optional<String> reason) {

    public boolean pass() {
        return result.equals("pass");
    }

    /** The method clause of an Authentication-Results field. */
    public String resinfo() {
        StringBuilder clause = new StringBuilder("dkim=").append(result);
        reason.ifPresent(why -> clause.append(" (").append(why.replaceAll("[()\\\\\r\n]", " ")).append(')'));
        if (!domain.isEmpty()) {
            clause.append(" header.d=").append(domain);
        }
        if (!selector.isEmpty()) {
            clause.append(" header.s=").append(selector);
        }
        if (!algorithm.isEmpty()) {
            clause.append(" header.a=").append(algorithm);
        }
        if (!signaturePrefix.isEmpty()) {
            clause.append(" header.b=").append(signaturePrefix);
        }
        return clause.toString();
    }
}
