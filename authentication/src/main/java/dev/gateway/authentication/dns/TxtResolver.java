package dev.gateway.authentication.dns;

import java.util.List;
import java.util.Optional;

/** TXT lookups for mail authentication, where a failed lookup (temperror) must never read as "no record". */
public interface TxtResolver {

    TxtAnswer txt(String name);

    /** The TXT strings found (each record's strings joined), none for NXDOMAIN/NODATA, or why the lookup failed. */
    record TxtAnswer(List<String> records, Optional<String> temporaryError, Optional<String> permanentError) {

        public static TxtAnswer found(List<String> records) {
            return new TxtAnswer(List.copyOf(records), Optional.empty(), Optional.empty());
        }

        public static TxtAnswer temporaryError(String reason) {
            return new TxtAnswer(List.of(), Optional.of(reason), Optional.empty());
        }

        public static TxtAnswer permanentError(String reason) {
            return new TxtAnswer(List.of(), Optional.empty(), Optional.of(reason));
        }
    }
}
