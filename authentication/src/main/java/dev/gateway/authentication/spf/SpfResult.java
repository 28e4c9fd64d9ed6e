package dev.gateway.authentication.spf;

import java.util.Locale;

/** The results of {@code check_host()}, RFC 7208 section 2.6. */
public enum SpfResult {
    NONE, NEUTRAL, PASS, FAIL, SOFTFAIL, TEMPERROR, PERMERROR;

    /** The result as RFC 7208 and Authentication-Results (RFC 8601) spell it. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }
}
