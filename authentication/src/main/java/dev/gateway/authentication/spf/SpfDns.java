package dev.gateway.authentication.spf;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * The DNS lookups SPF makes (RFC 7208 section 5). Each answers the records found, nothing (NXDOMAIN or no data of
 * that type: a "void lookup", section 4.6.4), or a temporary error (timeout, SERVFAIL: {@code temperror}, section
 * 2.6.6). Names are given without a trailing dot.
 */
public interface SpfDns {

    /** TXT records of a name, each record's strings joined (section 3.3). */
    Answer<String> txt(String name);

    Answer<InetAddress> a(String name);

    Answer<InetAddress> aaaa(String name);

    /** The exchange names of a name's MX records. */
    Answer<String> mx(String name);

    /** The PTR names of an address (its {@code in-addr.arpa} or {@code ip6.arpa} name). */
    Answer<String> ptr(InetAddress address);

    /** Records, none (void), or why the lookup failed. */
    record Answer<T>(List<T> records, Optional<String> error) {

        public static <T> Answer<T> found(List<T> records) {
            return new Answer<>(List.copyOf(records), Optional.empty());
        }

        public static <T> Answer<T> none() {
            return new Answer<>(List.of(), Optional.empty());
        }

        public static <T> Answer<T> failed(String reason) {
            return new Answer<>(List.of(), Optional.of(reason));
        }

        public boolean isVoid() {
            return error.isEmpty() && records.isEmpty();
        }
    }
}
