package dev.gateway.api;

/**
 * The mail attributes in which the sender authentication hook ({@code CheckSenderAuthentication},
 * docs/authentication.md) records its results, for the routing table's {@code spf}/{@code dkim}/{@code dmarc}
 * conditions and for integrators' matchers and mailets. Each value is a string.
 */
public final class AuthenticationAttributes {

    /** {@code pass} when a signature passed, {@code none} without signatures, else the best failing result. */
    public static final String DKIM = "gateway.auth.dkim";
    /** The d= of every passing DKIM signature, comma-separated. */
    public static final String DKIM_DOMAINS = "gateway.auth.dkim.domains";
    /** The SPF result of the MAIL FROM identity. */
    public static final String SPF = "gateway.auth.spf";
    /** The SPF result of the HELO identity. */
    public static final String SPF_HELO = "gateway.auth.spf.helo";
    /** The DMARC result. */
    public static final String DMARC = "gateway.auth.dmarc";
    /** What the From domain's DMARC policy asks for the mail: none, quarantine or reject. */
    public static final String DMARC_DISPOSITION = "gateway.auth.dmarc.disposition";
    /** The whole Authentication-Results header value. */
    public static final String RESULTS = "gateway.auth.results";

    private AuthenticationAttributes() {
    }
}
