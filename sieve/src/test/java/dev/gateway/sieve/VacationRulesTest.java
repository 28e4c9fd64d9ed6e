package dev.gateway.sieve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Test;

class VacationRulesTest {

    private static final MailAddress ALICE = address("alice@example.test");
    private static final MailAddress ALICE_ALIAS = address("a.smith@example.test");

    @Test
    void plainMailAddressedToTheUserIsAnswered() throws Exception {
        assertThat(verdict("bob@example.org", "To: alice@example.test")).isEmpty();
    }

    @Test
    void addressesAreComparedWithoutCaseAndFoundInCcAndResentHeaders() throws Exception {
        assertThat(verdict("bob@example.org", "To: x@example.org", "Cc: \"Alice\" <ALICE@Example.Test>")).isEmpty();
        assertThat(verdict("bob@example.org", "To: x@example.org", "Resent-To: alice@example.test")).isEmpty();
    }

    @Test
    void anAddressGivenWithColonAddressesCountsAsTheUsers() throws Exception {
        Mail toAlias = mail("bob@example.org", "To: a.smith@example.test");
        assertThat(VacationRules.whyNoReply(toAlias, List.of(ALICE))).hasValueSatisfying(reason -> assertThat(reason).contains("none of To"));
        assertThat(VacationRules.whyNoReply(toAlias, List.of(ALICE, ALICE_ALIAS))).isEmpty();
    }

    @Test
    void mailThatDoesNotNameTheUserIsNotAnswered() throws Exception {
        // Alice was a Bcc recipient or got it through a list: her address is in no header.
        assertThat(verdict("bob@example.org", "To: team@example.org"))
            .hasValueSatisfying(reason -> assertThat(reason).contains("none of To"));
    }

    @Test
    void bouncesAreNotAnswered() throws Exception {
        Mail bounce = FakeMail.builder().name("bounce").sender(MaybeSender.nullSender()).recipient(ALICE)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addHeader("To", ALICE.asString()).setText("x"))
            .build();
        assertThat(VacationRules.whyNoReply(bounce, List.of(ALICE))).hasValueSatisfying(reason -> assertThat(reason).contains("null"));
    }

    @Test
    void theUsersOwnMailIsNotAnswered() throws Exception {
        assertThat(verdict("Alice@example.test", "To: alice@example.test")).contains("sent by the user");
    }

    @Test
    void daemonAndListSendersAreNotAnswered() throws Exception {
        for (String sender : List.of("MAILER-DAEMON@example.org", "owner-users@example.org", "users-request@example.org",
                "users-owner@example.org", "listserv@example.org", "majordomo@example.org")) {
            assertThat(verdict(sender, "To: alice@example.test")).as(sender)
                .hasValueSatisfying(reason -> assertThat(reason).contains("list or daemon address"));
        }
    }

    @Test
    void automaticMailIsNotAnsweredButAutoSubmittedNoIs() throws Exception {
        assertThat(verdict("bob@example.org", "To: alice@example.test", "Auto-Submitted: auto-generated")).contains("Auto-Submitted: auto-generated");
        assertThat(verdict("bob@example.org", "To: alice@example.test", "Auto-Submitted: auto-replied")).contains("Auto-Submitted: auto-replied");
        assertThat(verdict("bob@example.org", "To: alice@example.test", "Auto-Submitted: no")).isEmpty();
    }

    @Test
    void bulkAndListMailIsNotAnswered() throws Exception {
        assertThat(verdict("bob@example.org", "To: alice@example.test", "Precedence: bulk")).contains("Precedence: bulk");
        assertThat(verdict("bob@example.org", "To: alice@example.test", "Precedence: junk")).contains("Precedence: junk");
        assertThat(verdict("bob@example.org", "To: alice@example.test", "List-Id: <users.example.org>")).contains("mailing list mail (List-* header)");
        assertThat(verdict("bob@example.org", "To: alice@example.test", "list-unsubscribe: <mailto:x@example.org>")).contains("mailing list mail (List-* header)");
    }

    /** Why Alice's vacation would not answer mail from {@code sender} with these headers. */
    private static java.util.Optional<String> verdict(String sender, String... headers) throws Exception {
        return VacationRules.whyNoReply(mail(sender, headers), List.of(ALICE));
    }

    static Mail mail(String sender, String... headers) throws Exception {
        MimeMessageBuilder message = MimeMessageBuilder.mimeMessageBuilder().setSubject("hello").setText("body");
        for (String header : headers) {
            int colon = header.indexOf(':');
            message.addHeader(header.substring(0, colon), header.substring(colon + 1).trim());
        }
        return FakeMail.builder().name("mail").sender(sender).recipient(ALICE).mimeMessage(message).build();
    }

    static MailAddress address(String value) {
        try {
            return new MailAddress(value);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
