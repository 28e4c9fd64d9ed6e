package dev.gateway.operations;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.apache.mailet.Mail;

import dev.gateway.api.Age;

/**
 * Which mails an operator's queue command applies to, from the query string of {@code /gateway/queue/...}:
 * {@code queue}, {@code sender} (an address, or {@code @domain} for a whole domain; {@code <>} for the null sender),
 * {@code recipientDomain}, {@code olderThan} ({@code 90s}, {@code 30m}, {@code 2h}, {@code 3d}) and {@code id}
 * (repeatable: the mail names a listing showed). Every given criterion must hold; none given matches everything.
 */
public record MailFilter(Optional<String> queue, Optional<String> sender, Optional<String> recipientDomain,
                         Optional<Duration> olderThan, Set<String> ids) {

    public static MailFilter parse(Function<String, String> single, Function<String, String[]> repeated) {
        String[] ids = repeated.apply("id");
        return new MailFilter(
            given(single.apply("queue")),
            given(single.apply("sender")).map(value -> value.toLowerCase(Locale.ROOT)),
            given(single.apply("recipientDomain")).map(value -> value.toLowerCase(Locale.ROOT)),
            given(single.apply("olderThan")).map(MailFilter::duration),
            ids == null ? Set.of() : Set.of(ids));
    }

    /** True when nothing narrows the selection but, perhaps, the queue. */
    public boolean wholeQueue() {
        return sender.isEmpty() && recipientDomain.isEmpty() && olderThan.isEmpty() && ids.isEmpty();
    }

    public boolean matchesQueue(String name) {
        return queue.map(name::equals).orElse(true);
    }

    public boolean matches(Mail mail, Instant arrived, Instant now) {
        return (ids.isEmpty() || ids.contains(mail.getName()))
            && sender.map(wanted -> senderMatches(mail, wanted)).orElse(true)
            && recipientDomain.map(domain -> mail.getRecipients().stream()
                .anyMatch(recipient -> recipient.getDomain().asString().equals(domain))).orElse(true)
            && olderThan.map(age -> arrived.plus(age).isBefore(now)).orElse(true);
    }

    private static boolean senderMatches(Mail mail, String wanted) {
        if (wanted.equals("<>")) {
            return mail.getMaybeSender().isNullSender();
        }
        return mail.getMaybeSender().asOptional()
            .map(address -> wanted.startsWith("@")
                ? address.getDomain().asString().equals(wanted.substring(1))
                : address.asString().toLowerCase(Locale.ROOT).equals(wanted))
            .orElse(false);
    }

    static Duration duration(String text) {
        try {
            return Age.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("olderThan: " + e.getMessage(), e);
        }
    }

    private static Optional<String> given(String value) {
        return Optional.ofNullable(value).map(String::trim).filter(text -> !text.isEmpty());
    }
}
