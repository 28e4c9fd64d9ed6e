package dev.gateway.authentication.spf;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * A parsed SPF record (RFC 7208 section 4.6.1): its directives in order and the {@code redirect} and {@code exp}
 * modifiers (section 6), unexpanded. Unknown modifiers are checked and dropped (section 6).
 */
record SpfRecord(List<Directive> directives, Optional<String> redirect, Optional<String> exp) {

    /** A qualifier (the result when the mechanism matches, section 4.6.2) and a mechanism. */
    record Directive(SpfResult qualifier, Mechanism mechanism) {
    }

    /** The mechanisms of section 5. Domain specs are macro strings, expanded when the mechanism is evaluated. */
    sealed interface Mechanism {
        /** Whether evaluating it counts toward the limit of 10 DNS-querying terms (section 4.6.4). */
        default boolean queriesDns() {
            return true;
        }
    }

    record All() implements Mechanism {
        @Override
        public boolean queriesDns() {
            return false;
        }
    }

    record Include(String domainSpec) implements Mechanism {
    }

    /** {@code a} (section 5.3); no domain spec means the current domain. */
    record A(Optional<String> domainSpec, int cidr4, int cidr6) implements Mechanism {
    }

    record Mx(Optional<String> domainSpec, int cidr4, int cidr6) implements Mechanism {
    }

    record Ptr(Optional<String> domainSpec) implements Mechanism {
    }

    /** {@code ip4} and {@code ip6} (section 5.6). */
    record Ip(InetAddress network, int prefix) implements Mechanism {
        @Override
        public boolean queriesDns() {
            return false;
        }
    }

    record Exists(String domainSpec) implements Mechanism {
    }
}
