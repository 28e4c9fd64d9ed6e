package dev.gateway.authentication;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.mail.internet.AddressException;
import javax.mail.internet.InternetAddress;

import dev.gateway.authentication.dkim.RawMessage;

/** The domains of a message's RFC 5322 From addresses: what DKIM signs for and DMARC aligns with. */
final class FromDomains {

    private FromDomains() {
    }

    /** Every From address's domain, in order; empty when From is missing or unreadable. */
    static List<String> of(RawMessage message) {
        List<String> domains = new ArrayList<>();
        for (RawMessage.HeaderField from : message.headers("From")) {
            try {
                for (InternetAddress address : InternetAddress.parseHeader(from.value(), false)) {
                    String text = address.getAddress();
                    if (text == null || !text.contains("@")) {
                        return List.of();
                    }
                    domains.add(text.substring(text.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT));
                }
            } catch (AddressException e) {
                return List.of();
            }
        }
        return List.copyOf(domains);
    }
}
