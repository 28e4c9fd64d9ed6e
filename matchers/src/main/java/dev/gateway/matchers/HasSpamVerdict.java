package dev.gateway.matchers;

import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import javax.mail.MessagingException;

import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.james.core.MailAddress;
import org.apache.mailet.base.GenericMatcher;

import dev.gateway.api.SpamAttributes;

/**
 * Matches the recipients of a mail whose own spam verdict is one of the verdicts in the condition: {@code clean},
 * {@code tagged}, {@code quarantine} or {@code unchecked} (comma separated). The verdicts are set at the end of DATA
 * by the SMTP hook {@code dev.gateway.smtphooks.SpamFilter} in the mail attribute {@value #VERDICT_ATTRIBUTE}, a map
 * from recipient address to verdict, since recipients may have thresholds of their own. When only some recipients
 * match, the mailet container splits the mail: the matched recipients' copy goes to the mailet, the others go on.
 * A recipient without a verdict (not scanned: authenticated submission, spam filter disabled, released from
 * quarantine, or added after DATA) never matches.
 *
 * <p>The verdict is a mail attribute, not a header: a sender cannot write it into the message.
 *
 * <pre>{@code
 * <mailet match="dev.gateway.matchers.HasSpamVerdict=quarantine" class="ToRepository">
 *     <repositoryPath>repository://var/mail/quarantine/</repositoryPath>
 * </mailet>
 * }</pre>
 */
public class HasSpamVerdict extends GenericMatcher {

    /** Written by {@code SpamFilter} in the smtp-hooks module; the name is gateway-api's. */
    public static final String VERDICT_ATTRIBUTE = SpamAttributes.VERDICT;
    static final Set<String> KNOWN = Set.of("clean", "tagged", "quarantine", "unchecked");
    private static final AttributeName VERDICT = AttributeName.of(VERDICT_ATTRIBUTE);

    private Set<String> verdicts;

    @Override
    public void init() throws MessagingException {
        String condition = getCondition();
        if (condition == null || condition.isBlank()) {
            throw new MessagingException("HasSpamVerdict needs a condition, e.g. HasSpamVerdict=quarantine");
        }
        verdicts = Arrays.stream(condition.split(","))
            .map(verdict -> verdict.trim().toLowerCase(Locale.ROOT))
            .filter(verdict -> !verdict.isEmpty())
            .collect(Collectors.toUnmodifiableSet());
        for (String verdict : verdicts) {
            if (!KNOWN.contains(verdict)) {
                throw new MessagingException("HasSpamVerdict: unknown verdict '" + verdict + "', expected one of " + KNOWN);
            }
        }
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        Map<?, ?> byRecipient = mail.getAttribute(VERDICT)
            .map(attribute -> attribute.getValue().getValue())
            .filter(value -> value instanceof Map)
            .map(value -> (Map<?, ?>) value)
            .orElse(Map.of());
        return mail.getRecipients().stream()
            .filter(recipient -> byRecipient.get(recipient.asString()) instanceof AttributeValue<?> verdict
                && verdict.getValue() instanceof String value
                && verdicts.contains(value.toLowerCase(Locale.ROOT)))
            .toList();
    }

    @Override
    public String getMatcherName() {
        return "HasSpamVerdict";
    }
}
