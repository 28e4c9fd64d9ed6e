package dev.gateway.matchers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.api.Test;

class HasSpamVerdictTest {

    private static final String A = "a@example.test";
    private static final String B = "b@strict.example";

    private static HasSpamVerdict matcher(String condition) throws MessagingException {
        HasSpamVerdict matcher = new HasSpamVerdict();
        matcher.init(FakeMatcherConfig.builder().matcherName("HasSpamVerdict").condition(condition).build());
        return matcher;
    }

    /** A mail to A and B with the verdicts given for each (null: no verdict for that recipient). */
    private static FakeMail mail(String verdictOfA, String verdictOfB) throws MessagingException {
        Map<String, AttributeValue<?>> verdicts = new LinkedHashMap<>();
        if (verdictOfA != null) {
            verdicts.put(A, AttributeValue.of(verdictOfA));
        }
        if (verdictOfB != null) {
            verdicts.put(B, AttributeValue.of(verdictOfB));
        }
        return FakeMail.builder().name("m")
            .recipients(new MailAddress(A), new MailAddress(B))
            .attribute(new Attribute(AttributeName.of(HasSpamVerdict.VERDICT_ATTRIBUTE), AttributeValue.of(verdicts)))
            .build();
    }

    @Test
    void matchesEveryRecipientWhenAllHaveTheVerdict() throws Exception {
        FakeMail mail = mail("quarantine", "quarantine");
        assertThat(matcher("quarantine").match(mail)).containsExactlyInAnyOrderElementsOf(mail.getRecipients());
    }

    @Test
    void matchesOnlyTheRecipientsWithTheVerdict() throws Exception {
        assertThat(matcher("quarantine").match(mail("tagged", "quarantine"))).containsExactly(new MailAddress(B));
        assertThat(matcher("clean").match(mail("clean", "quarantine"))).containsExactly(new MailAddress(A));
    }

    @Test
    void matchesAnyOfSeveralVerdicts() throws Exception {
        assertThat(matcher("tagged, quarantine").match(mail("tagged", "quarantine"))).hasSize(2);
        assertThat(matcher("tagged, quarantine").match(mail("clean", "clean"))).isEmpty();
    }

    @Test
    void doesNotMatchOtherVerdictsOrRecipientsWithoutOne() throws Exception {
        assertThat(matcher("quarantine").match(mail("tagged", "unchecked"))).isEmpty();
        assertThat(matcher("quarantine").match(mail(null, "quarantine"))).containsExactly(new MailAddress(B));
    }

    @Test
    void doesNotMatchUnscannedMail() throws Exception {
        FakeMail unscanned = FakeMail.builder().name("m").recipients(new MailAddress(A)).build();
        FakeMail notAMap = FakeMail.builder().name("m").recipients(new MailAddress(A))
            .attribute(new Attribute(AttributeName.of(HasSpamVerdict.VERDICT_ATTRIBUTE), AttributeValue.of("quarantine"))).build();

        assertThat(matcher("quarantine").match(unscanned)).isEmpty();
        assertThat(matcher("quarantine").match(notAMap)).isEmpty();
    }

    @Test
    void refusesUnknownVerdictsAndAnEmptyCondition() {
        assertThatThrownBy(() -> matcher("quarantined")).isInstanceOf(MessagingException.class);
        assertThatThrownBy(() -> matcher("")).isInstanceOf(MessagingException.class);
    }
}
