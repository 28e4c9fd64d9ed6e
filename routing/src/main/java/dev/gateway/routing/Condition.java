package dev.gateway.routing;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.apache.james.core.MailAddress;

/**
 * One test of a rule's {@code when} block, with the words the explain tool prints for it.
 *
 * @param description the condition as written in the table, e.g. {@code recipient-domain in [partner.example]}
 * @param test whether it holds for a recipient and a message; {@link Verdict#UNKNOWN} when it needs the message
 *             and the message is not known yet (RCPT time)
 */
public record Condition(String description, BiFunction<MailAddress, MessageFacts, Verdict> test) {

    /** The answer of one condition. */
    public enum Verdict { MATCH, NO_MATCH, UNKNOWN }

    Verdict test(MailAddress recipient, MessageFacts facts) {
        return test.apply(recipient, facts);
    }

    static Verdict of(boolean holds) {
        return holds ? Verdict.MATCH : Verdict.NO_MATCH;
    }

    /** Addresses compare case-insensitively; {@code addresses} are lower case. */
    static Condition recipients(Set<String> addresses) {
        return new Condition("recipient in " + addresses, (recipient, facts) -> of(addresses.contains(lowerCase(recipient))));
    }

    static Condition recipientDomains(Set<String> domains) {
        return new Condition("recipient-domain in " + domains,
            (recipient, facts) -> of(domains.contains(recipient.getDomain().asString().toLowerCase(Locale.ROOT))));
    }

    static Condition recipientRegex(Pattern pattern) {
        return new Condition("recipient-regex " + pattern.pattern(),
            (recipient, facts) -> of(pattern.matcher(recipient.asString()).find()));
    }

    static Condition senders(Set<String> addresses) {
        return new Condition("sender in " + addresses, (recipient, facts) ->
            of(facts.sender().asOptional().map(Condition::lowerCase).filter(addresses::contains).isPresent()));
    }

    static Condition senderDomains(Set<String> domains) {
        return new Condition("sender-domain in " + domains, (recipient, facts) ->
            of(facts.sender().asOptional().map(sender -> sender.getDomain().asString().toLowerCase(Locale.ROOT)).filter(domains::contains).isPresent()));
    }

    /** Tested against the sender's address, or the empty string for the null sender. */
    static Condition senderRegex(Pattern pattern) {
        return new Condition("sender-regex " + pattern.pattern(), (recipient, facts) ->
            of(pattern.matcher(facts.sender().asOptional().map(MailAddress::asString).orElse("")).find()));
    }

    /** Every named header must have at least one value the pattern finds; a missing header does not match. */
    static Condition headers(Map<String, Pattern> patterns) {
        String shown = patterns.entrySet().stream()
            .map(entry -> entry.getKey() + " ~ " + entry.getValue().pattern())
            .collect(Collectors.joining(", ", "header {", "}"));
        return new Condition(shown, (recipient, facts) -> facts.content()
            .map(content -> of(patterns.entrySet().stream().allMatch(entry -> content.header(entry.getKey()).stream()
                .anyMatch(value -> entry.getValue().matcher(value).find()))))
            .orElse(Verdict.UNKNOWN));
    }

    static Condition authenticated(boolean wanted) {
        return new Condition("authenticated " + wanted, (recipient, facts) -> of(facts.authenticated() == wanted));
    }

    static Condition sizeOver(long bytes, String written) {
        return new Condition("size-over " + written, (recipient, facts) ->
            facts.content().map(content -> of(content.size() > bytes)).orElse(Verdict.UNKNOWN));
    }

    static Condition sizeUnder(long bytes, String written) {
        return new Condition("size-under " + written, (recipient, facts) ->
            facts.content().map(content -> of(content.size() < bytes)).orElse(Verdict.UNKNOWN));
    }

    /** A message that was not scanned has no score and does not match. */
    static Condition spamScoreAtLeast(double threshold) {
        return new Condition("spam-score-at-least " + threshold, (recipient, facts) -> facts.content()
            .map(content -> of(content.spamScore().filter(score -> score >= threshold).isPresent()))
            .orElse(Verdict.UNKNOWN));
    }

    static Condition spamScoreBelow(double threshold) {
        return new Condition("spam-score-below " + threshold, (recipient, facts) -> facts.content()
            .map(content -> of(content.spamScore().filter(score -> score < threshold).isPresent()))
            .orElse(Verdict.UNKNOWN));
    }

    /**
     * A message no check saw (an authenticated client, a trusted network, checks off) has no result and does not
     * match, whatever the listed results.
     */
    static Condition authenticationResult(AuthenticationMethod method, Set<String> results) {
        return new Condition(method.key() + " in " + results.stream().sorted().toList(), (recipient, facts) -> facts.content()
            .map(content -> of(Optional.ofNullable(content.authentication().get(method)).filter(results::contains).isPresent()))
            .orElse(Verdict.UNKNOWN));
    }

    /** The explain tool may leave the source out: then the condition cannot be decided. */
    static Condition sourceNetworks(List<Network> networks) {
        return new Condition("source-network in " + networks, (recipient, facts) -> facts.source()
            .map(source -> of(networks.stream().anyMatch(network -> network.contains(source))))
            .orElse(Verdict.UNKNOWN));
    }

    static String lowerCase(MailAddress address) {
        return address.asString().toLowerCase(Locale.ROOT);
    }
}
