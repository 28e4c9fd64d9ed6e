package dev.gateway.routing;

import java.net.InetAddress;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A question to the explain tool: "where would this mail go?", without sending it. Everything but the recipients
 * is optional; what is left out is as documented in docs/routing.md (no client address: source-network rules
 * cannot be decided; no headers: none).
 *
 * @param sender the envelope sender; empty or absent is the null sender
 * @param recipients one or more addresses
 * @param headers header values by name
 * @param authenticated whether the client authenticated (default false)
 * @param clientAddress the client's IP address
 * @param size message size in bytes (default 0)
 * @param spamScore spamd's score (default: not scanned)
 * @param spf the SPF result of the MAIL FROM identity (default: not checked)
 * @param dkim the DKIM result (default: not checked)
 * @param dmarc the DMARC result (default: not checked)
 * @param stage {@code data} (default: the whole message is known) or {@code rcpt} (only the envelope: shows what
 *              the SMTP hook decides at RCPT time)
 */
public record ExplainRequest(String sender, List<String> recipients, Map<String, List<String>> headers,
                             Boolean authenticated, @JsonProperty("client-address") String clientAddress, Long size,
                             @JsonProperty("spam-score") Double spamScore, String stage,
                             String spf, String dkim, String dmarc) {

    /** One recipient's route as the explain tool shows it. */
    public record Answer(String recipient, String action, String rule, Integer line, boolean decided,
                         Map<String, String> addHeaders, List<String> removeHeaders, List<String> copies,
                         List<String> trace) {
    }

    public List<Answer> explain(RoutingTable table) {
        MessageFacts facts = facts();
        return Optional.ofNullable(recipients()).filter(list -> !list.isEmpty())
            .orElseThrow(() -> new IllegalArgumentException("at least one recipient is needed"))
            .stream()
            .map(recipient -> answer(table.route(address(recipient), facts)))
            .toList();
    }

    private static Answer answer(Route route) {
        return new Answer(route.recipient().asString(),
            route.decided() ? route.action().toString() : "undecided until DATA",
            route.decidedBy().map(Rule::name).orElse(null),
            route.decidedBy().map(Rule::line).orElse(null),
            route.decided(),
            route.addHeaders(),
            List.copyOf(route.removeHeaders()),
            route.copies().stream().map(MailAddress::asString).toList(),
            route.trace());
    }

    MessageFacts facts() {
        MaybeSender maybeSender = Optional.ofNullable(sender).map(String::trim).filter(text -> !text.isEmpty() && !text.equals("<>"))
            .map(text -> MaybeSender.of(address(text)))
            .orElse(MaybeSender.nullSender());
        Optional<InetAddress> source = Optional.ofNullable(clientAddress).map(text -> MailFacts.address(text)
            .orElseThrow(() -> new IllegalArgumentException("client-address '" + text + "' is not an IP address")));
        boolean atRcpt = "rcpt".equalsIgnoreCase(Optional.ofNullable(stage).orElse("data"));
        if (!atRcpt && !"data".equalsIgnoreCase(Optional.ofNullable(stage).orElse("data"))) {
            throw new IllegalArgumentException("stage must be rcpt or data");
        }
        Optional<MessageFacts.Content> content = atRcpt ? Optional.empty()
            : Optional.of(new MessageFacts.Content(Optional.ofNullable(headers).orElse(Map.of()),
                Optional.ofNullable(size).orElse(0L), Optional.ofNullable(spamScore), authentication()));
        return new MessageFacts(maybeSender, Boolean.TRUE.equals(authenticated), source, content);
    }

    private Map<AuthenticationMethod, String> authentication() {
        Map<AuthenticationMethod, String> results = new EnumMap<>(AuthenticationMethod.class);
        Optional.ofNullable(spf).ifPresent(result -> results.put(AuthenticationMethod.SPF, AuthenticationMethod.SPF.result(result)));
        Optional.ofNullable(dkim).ifPresent(result -> results.put(AuthenticationMethod.DKIM, AuthenticationMethod.DKIM.result(result)));
        Optional.ofNullable(dmarc).ifPresent(result -> results.put(AuthenticationMethod.DMARC, AuthenticationMethod.DMARC.result(result)));
        return results;
    }

    private static MailAddress address(String text) {
        try {
            return new MailAddress(text.trim());
        } catch (AddressException e) {
            throw new IllegalArgumentException("'" + text + "' is not a mail address");
        }
    }
}
