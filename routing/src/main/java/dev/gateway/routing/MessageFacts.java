package dev.gateway.routing;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.apache.james.core.MaybeSender;

/**
 * What the rules may look at, besides the recipient. At RCPT time the message itself is not known yet
 * ({@code content} is empty): a rule that needs headers, size or spam score cannot be decided then.
 *
 * @param sender the envelope sender (MAIL FROM), possibly the null sender
 * @param authenticated whether the client authenticated (SMTP AUTH)
 * @param source the client's IP address, when known
 * @param content the message, once DATA has been received
 */
public record MessageFacts(MaybeSender sender, boolean authenticated, Optional<InetAddress> source,
                           Optional<Content> content) {

    /**
     * @param headers header values by lower-case header name
     * @param size the message size in bytes
     * @param spamScore spamd's score, empty when the message was not scanned
     * @param authentication the results of the sender authentication checks by method ({@code spf}, {@code dkim},
     *                       {@code dmarc}), each as written in Authentication-Results; a method that was not checked
     *                       (authenticated clients, trusted networks, checks off) is absent
     */
    public record Content(Map<String, List<String>> headers, long size, Optional<Double> spamScore,
                          Map<AuthenticationMethod, String> authentication) {

        public Content {
            headers = headers.entrySet().stream().collect(Collectors.toUnmodifiableMap(
                entry -> entry.getKey().toLowerCase(Locale.ROOT), entry -> List.copyOf(entry.getValue()),
                (first, second) -> first));
            authentication = Map.copyOf(authentication);
        }

        /** A message no sender authentication check has seen. */
        public Content(Map<String, List<String>> headers, long size, Optional<Double> spamScore) {
            this(headers, size, spamScore, Map.of());
        }

        List<String> header(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }
    }
}
