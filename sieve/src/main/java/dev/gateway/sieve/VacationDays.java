package dev.gateway.sieve;

import com.google.common.base.Preconditions;

/**
 * The bounds a site puts on a script's {@code :days} (RFC 5230 section 4.1): a script asking for less than
 * {@code minimum} or more than {@code maximum} days between two replies to one sender gets the bound.
 */
record VacationDays(int minimum, int maximum) {

    /** RFC 5230's default when a script gives no {@code :days}. */
    static final int RFC_DEFAULT = 7;

    VacationDays {
        Preconditions.checkArgument(minimum >= 1, "vacationMinimumDays must be at least 1, was %s", minimum);
        Preconditions.checkArgument(maximum >= minimum, "vacationMaximumDays (%s) must not be below vacationMinimumDays (%s)",
            maximum, minimum);
    }

    int clamp(int requested) {
        int days = requested <= 0 ? RFC_DEFAULT : requested;
        return Math.max(minimum, Math.min(maximum, days));
    }
}
