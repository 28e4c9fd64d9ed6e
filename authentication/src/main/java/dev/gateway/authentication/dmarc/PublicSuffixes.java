package dev.gateway.authentication.dmarc;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import com.google.common.net.InternetDomainName;

/**
 * The organizational domain of a name (RFC 7489 section 3.2): its public suffix, from the Public Suffix List (ICANN
 * and private sections), plus one label. A name under no listed suffix takes the list's default rule "*" (its last
 * two labels).
 */
public interface PublicSuffixes {

    /** @throws IllegalArgumentException when {@code domain} is not a domain name */
    String organizationalDomain(String domain);

    /** The list Guava ships, updated with Gateway's Guava. */
    static PublicSuffixes builtIn() {
        return domain -> {
            InternetDomainName name = InternetDomainName.from(domain.toLowerCase(Locale.ROOT));
            if (name.isUnderPublicSuffix()) {
                return name.topPrivateDomain().toString();
            }
            if (name.isPublicSuffix()) {
                return name.toString();
            }
            List<String> parts = name.parts();
            return parts.size() <= 2 ? name.toString() : String.join(".", parts.subList(parts.size() - 2, parts.size()));
        };
    }

    /** The list in {@code file} (publicsuffix.org's format) when given, read again when it changes; else {@link #builtIn}. */
    static PublicSuffixes from(String file) {
        return file == null || file.isBlank() ? builtIn() : new PublicSuffixListFile(Path.of(file.strip()));
    }
}
