package dev.gateway.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Test;

class MailFilterTest {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    @Test
    void senderIsAnAddressADomainOrTheNullSender() throws Exception {
        Mail mail = FakeMail.builder().name("m").sender("Alice@Example.test").recipient("bob@later.test").build();
        assertThat(filter(Map.of("sender", "alice@example.test")).matches(mail, NOW, NOW)).isTrue();
        assertThat(filter(Map.of("sender", "@example.test")).matches(mail, NOW, NOW)).isTrue();
        assertThat(filter(Map.of("sender", "@example.org")).matches(mail, NOW, NOW)).isFalse();
        assertThat(filter(Map.of("sender", "<>")).matches(mail, NOW, NOW)).isFalse();
        Mail bounce = FakeMail.builder().name("b").recipient("bob@later.test").build();
        assertThat(filter(Map.of("sender", "<>")).matches(bounce, NOW, NOW)).isTrue();
    }

    @Test
    void recipientDomainMatchesAnyRecipientAndAgeIsStrict() throws Exception {
        Mail mail = FakeMail.builder().name("m").sender("a@example.test").recipients("x@other.test", "y@Later.test").build();
        assertThat(filter(Map.of("recipientDomain", "LATER.test")).matches(mail, NOW, NOW)).isTrue();
        assertThat(filter(Map.of("recipientDomain", "nowhere.test")).matches(mail, NOW, NOW)).isFalse();
        assertThat(filter(Map.of("olderThan", "30m")).matches(mail, NOW.minus(Duration.ofMinutes(31)), NOW)).isTrue();
        assertThat(filter(Map.of("olderThan", "30m")).matches(mail, NOW.minus(Duration.ofMinutes(30)), NOW)).isFalse();
    }

    @Test
    void idsSelectExactlyTheNamedMails() throws Exception {
        MailFilter byIds = MailFilter.parse(name -> null, name -> name.equals("id") ? new String[] {"m1", "m3"} : null);
        assertThat(byIds.matches(FakeMail.builder().name("m1").recipient("a@b.test").build(), NOW, NOW)).isTrue();
        assertThat(byIds.matches(FakeMail.builder().name("m2").recipient("a@b.test").build(), NOW, NOW)).isFalse();
        assertThat(byIds.wholeQueue()).isFalse();
        assertThat(filter(Map.of("queue", "outgoing")).wholeQueue()).isTrue();
    }

    @Test
    void aBadAgeIsRefusedWithTheAcceptedForms() {
        assertThatThrownBy(() -> filter(Map.of("olderThan", "2 hours")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("90s, 30m, 2h, 3d");
    }

    private static MailFilter filter(Map<String, String> query) {
        return MailFilter.parse(query::get, name -> null);
    }
}
