package dev.gateway.matchers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.mail.MessagingException;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.james.core.MailAddress;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.api.Test;

class HasSpamVerdictTest {

    private static HasSpamVerdict matcher(String condition) throws MessagingException {
        HasSpamVerdict matcher = new HasSpamVerdict();
        matcher.init(FakeMatcherConfig.builder().matcherName("HasSpamVerdict").condition(condition).build());
        return matcher;
    }

    private static FakeMail mail(String verdict) throws MessagingException {
        FakeMail.Builder builder = FakeMail.builder().name("m")
            .recipients(new MailAddress("a@example.test"), new MailAddress("b@example.test"));
        if (verdict != null) {
            builder.attribute(new Attribute(AttributeName.of(HasSpamVerdict.VERDICT_ATTRIBUTE), AttributeValue.of(verdict)));
        }
        return builder.build();
    }

    @Test
    void matchesEveryRecipientOfAMailWithTheVerdict() throws Exception {
        FakeMail mail = mail("quarantine");
        assertThat(matcher("quarantine").match(mail)).containsExactlyInAnyOrderElementsOf(mail.getRecipients());
    }

    @Test
    void matchesAnyOfSeveralVerdicts() throws Exception {
        assertThat(matcher("tagged, quarantine").match(mail("tagged"))).hasSize(2);
        assertThat(matcher("tagged, quarantine").match(mail("clean"))).isEmpty();
    }

    @Test
    void doesNotMatchOtherVerdictsOrUnscannedMail() throws Exception {
        assertThat(matcher("quarantine").match(mail("tagged"))).isEmpty();
        assertThat(matcher("quarantine").match(mail("unchecked"))).isEmpty();
        assertThat(matcher("quarantine").match(mail(null))).isEmpty();
    }

    @Test
    void refusesUnknownVerdictsAndAnEmptyCondition() {
        assertThatThrownBy(() -> matcher("quarantined")).isInstanceOf(MessagingException.class);
        assertThatThrownBy(() -> matcher("")).isInstanceOf(MessagingException.class);
    }
}
