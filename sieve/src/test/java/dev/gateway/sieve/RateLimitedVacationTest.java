package dev.gateway.sieve;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.transport.mailets.jsieve.ActionContext;
import org.apache.james.util.date.ZonedDateTimeProvider;
import org.apache.james.vacation.memory.MemoryNotificationRegistry;
import org.apache.jsieve.mail.optional.ActionVacation;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Test;

/** The once-per-sender-per-period rule and the reply's form, on James's memory notification registry. */
class RateLimitedVacationTest {

    private static final MailAddress ALICE = VacationRulesTest.address("alice@example.test");

    private final MovableClock clock = new MovableClock(ZonedDateTime.parse("2026-11-30T12:00:00Z"));
    private final RateLimitedVacation vacation =
        new RateLimitedVacation(new MemoryNotificationRegistry(clock), clock, new VacationDays(1, 30));
    private final Context context = new Context();

    @Test
    void answersEachSenderOncePerPeriodThenAgainAfterIt() throws Exception {
        ActionVacation sevenDays = ActionVacation.builder().reason("Away").duration(7).build();
        vacation.execute(sevenDays, mail("bob@example.org", "one"), context);
        vacation.execute(sevenDays, mail("bob@example.org", "two"), context);
        vacation.execute(sevenDays, mail("carol@example.org", "three"), context);
        assertThat(context.recipients()).containsExactly("bob@example.org", "carol@example.org");

        clock.advance(Duration.ofDays(7).minusMinutes(1));
        vacation.execute(sevenDays, mail("bob@example.org", "four"), context);
        assertThat(context.posted).hasSize(2);

        clock.advance(Duration.ofMinutes(2));
        vacation.execute(sevenDays, mail("bob@example.org", "five"), context);
        assertThat(context.recipients()).containsExactly("bob@example.org", "carol@example.org", "bob@example.org");
    }

    @Test
    void aPeriodAboveTheSitesMaximumIsCutToIt() throws Exception {
        ActionVacation yearLong = ActionVacation.builder().reason("Away").duration(365).build();
        vacation.execute(yearLong, mail("bob@example.org", "one"), context);
        clock.advance(Duration.ofDays(30).plusMinutes(1));
        vacation.execute(yearLong, mail("bob@example.org", "two"), context);
        assertThat(context.posted).hasSize(2);
    }

    @Test
    void mailTheRulesRefuseIsNotAnsweredAndDoesNotUseUpTheSendersReply() throws Exception {
        ActionVacation sevenDays = ActionVacation.builder().reason("Away").duration(7).build();
        vacation.execute(sevenDays, VacationRulesTest.mail("bob@example.org", "To: alice@example.test", "Precedence: list"), context);
        assertThat(context.posted).isEmpty();
        vacation.execute(sevenDays, mail("bob@example.org", "one"), context);
        assertThat(context.posted).hasSize(1);
    }

    @Test
    void theReplyCannotLoop() throws Exception {
        vacation.execute(ActionVacation.builder().reason("I am away.").duration(7).build(),
            mail("bob@example.org", "lunch?"), context);

        Mail reply = context.posted.get(0);
        assertThat(reply.getMaybeSender().isNullSender()).as("null envelope sender").isTrue();
        MimeMessage message = reply.getMessage();
        assertThat(message.getHeader("Auto-Submitted", null)).startsWith("auto-replied");
        assertThat(message.getSubject()).isEqualTo("Auto: lunch?");
        assertThat(message.getHeader("In-Reply-To", null)).isEqualTo("<lunch?@example.org>");
        assertThat(message.getHeader("From", null)).isEqualTo("alice@example.test");
        assertThat(message.getContent().toString()).contains("I am away.");
    }

    @Test
    void theScriptsSubjectAndFromAreUsed() throws Exception {
        vacation.execute(ActionVacation.builder().reason("x").subject("Out of office").from("desk@example.test").duration(7).build(),
            mail("bob@example.org", "lunch?"), context);
        MimeMessage message = context.posted.get(0).getMessage();
        assertThat(message.getSubject()).isEqualTo("Out of office");
        assertThat(message.getHeader("From", null)).isEqualTo("desk@example.test");
    }

    private static Mail mail(String sender, String subject) throws Exception {
        return FakeMail.builder().name(subject).sender(sender).recipient(ALICE)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder()
                .addHeader("Message-ID", "<" + subject + "@example.org>")
                .addHeader("From", sender)
                .addHeader("To", ALICE.asString())
                .setSubject(subject)
                .setText("body"))
            .build();
    }

    private static final class MovableClock implements ZonedDateTimeProvider {
        private ZonedDateTime now;

        MovableClock(ZonedDateTime now) {
            this.now = now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZonedDateTime get() {
            return now;
        }
    }

    /** What the Sieve mail adapter gives an action: the recipient whose script runs, and where replies are posted. */
    private static final class Context implements ActionContext {
        final List<Mail> posted = new ArrayList<>();

        List<String> recipients() {
            return posted.stream().map(mail -> mail.getRecipients().iterator().next().asString()).toList();
        }

        @Override
        public MailAddress getRecipient() {
            return ALICE;
        }

        @Override
        public void post(Mail mail) throws MessagingException {
            // A copy, as the spool keeps one: the action disposes of its mail once posted.
            posted.add(mail.duplicate());
        }

        @Override
        public void post(String uri, Mail mail) {
            throw new UnsupportedOperationException("vacation never files mail");
        }

        @Override
        public ZonedDateTime getScriptActivationDate() {
            throw new UnsupportedOperationException("the period is per sender, not since activation");
        }

        @Override
        public ZonedDateTime getScriptInterpretationDate() {
            throw new UnsupportedOperationException("the period is per sender, not since activation");
        }

        @Override
        public String getServerInfo() {
            return "test";
        }
    }
}
