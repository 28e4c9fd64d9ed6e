package dev.gateway.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

import javax.mail.Address;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.AddressException;
import javax.mail.internet.MimeMessage;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.junit.jupiter.api.Test;

import dev.gateway.testsupport.FuzzHarness;

/**
 * Fuzzes the parsing Gateway does itself on hostile input, with {@link FuzzHarness} (brief in CI; see its javadoc
 * for long runs): the address checks of {@link RefuseHostileAddresses}, the From: header reading of
 * {@link SenderMatchesLogin}, the domain lists of {@link RelayControl} and the other hooks, and spamd's answers.
 * Each run prints its report; any crash fails the test with the input that reproduces it.
 */
class OwnParsersFuzzTest {

    private static final List<String> ADDRESSES = List.of(
        "alice@example.test", "first.last+tag@sub.example.test", "\"quoted local\"@example.test",
        "bob%foreign.example@example.test", "foreign.example!bob@example.test", "\"bob@foreign.example\"@example.test",
        "bob@[192.0.2.1]", "bob@[IPv6:::1]", "@a,@b:bob@c.example", "bob@example.test.", "postmaster",
        "a\\@b@example.test", "x@xn--bcher-kva.example", "\u00e9l\u00e8ve@\u00e9cole.example");
    private static final List<String> FROM_HEADERS = List.of(
        "Alice <alice@example.test>", "\"Doe, John\" <john@example.test>, bob@example.test",
        "undisclosed-recipients:;", "=?utf-8?B?w6k=?= <e@example.test>", "<>", "alice@example.test (comment)",
        "group: a@example.test, b@example.test;", "\"unterminated <a@example.test>", "a@b@c", "<@route:a@b.example>");
    private static final List<String> DOMAIN_LISTS = List.of(
        "partner.example, branch.example", "a.example b.example\tc.example", "", " , ,, ", "EXAMPLE.TEST",
        "xn--bcher-kva.example", "x.example,,y.example");
    private static final List<String> SPAMD_ANSWERS = List.of(
        "SPAMD/1.1 0 EX_OK\r\nContent-length: 24\r\nSpam: True ; 1000.0 / 5.0\r\n\r\nGTUBE,MSGID_SHORT,NO_RELAYS",
        "SPAMD/1.5 0 EX_OK\r\nSpam: False ; -1.2 / 5.0\r\n\r\n", "SPAMD/1.0 76 Bad header line",
        "SPAMD/1.1 0 EX_OK\nSpam: yes ; 3 / 5\n\nA,B", "HTTP/1.1 200 OK\r\n\r\n");

    private final FuzzHarness fuzz = FuzzHarness.fromSystemProperties();

    @Test
    void hostileAddressVerdictNeverThrowsAndSurvivesReserialising() {
        FuzzHarness.Report report = fuzz.run("RefuseHostileAddresses.hostileForm", ADDRESSES, Set.of(AddressException.class),
            input -> {
                MailAddress address = new MailAddress(input);
                Optional<String> verdict = RefuseHostileAddresses.hostileForm(address);
                // Written out and read back (as the next hop would), an address must get the same verdict.
                assertThat(RefuseHostileAddresses.hostileForm(new MailAddress(address.asString()))).as(input).isEqualTo(verdict);
            });
        assertNoCrash(report);
    }

    @Test
    void fromHeaderAddressesAreReadOrRefusedNeverCrash() {
        Session session = Session.getInstance(new Properties());
        FuzzHarness.Report report = fuzz.run("SenderMatchesLogin From: header", FROM_HEADERS, Set.of(MessagingException.class),
            input -> {
                MimeMessage message = new MimeMessage(session, new ByteArrayInputStream(
                    ("From: " + input + "\r\nSubject: fuzz\r\n\r\nbody\r\n").getBytes(StandardCharsets.UTF_8)));
                Address[] from = message.getFrom();
                for (Address address : from == null ? new Address[0] : from) {
                    SenderMatchesLogin.asMailAddress(address).ifPresent(RefuseHostileAddresses::hostileForm);
                }
            });
        assertNoCrash(report);
    }

    @Test
    void domainListSettingsAreLowerCaseDomainsOrAConfigurationError() {
        FuzzHarness.Report report = fuzz.run("SettingLists.domains", DOMAIN_LISTS, Set.of(IllegalArgumentException.class),
            FuzzHarness.checking(input -> {
                BaseHierarchicalConfiguration configuration = new BaseHierarchicalConfiguration();
                configuration.addProperty("relayDomains", input);
                return SettingLists.domains(configuration, "relayDomains");
            }, domains -> domains.stream().map(Domain::asString)
                .allMatch(domain -> !domain.isBlank() && domain.equals(domain.toLowerCase(Locale.ROOT))
                    && !domain.contains(",") && !domain.contains(" ")), "lower-case, non-empty, no separators"));
        assertNoCrash(report);
    }

    @Test
    void spamdAnswersAreAResultOrASpamdException() {
        FuzzHarness.Report report = fuzz.run("SpamdClient.parseSymbolsAnswer", SPAMD_ANSWERS, Set.of(SpamdClient.SpamdException.class),
            FuzzHarness.checking(SpamdClient::parseSymbolsAnswer,
                result -> !Double.isNaN(result.score()) && result.symbols().stream().noneMatch(String::isBlank),
                "a number for a score, no blank symbol"));
        assertNoCrash(report);
    }

    private static void assertNoCrash(FuzzHarness.Report report) {
        System.out.println("fuzz " + report);
        assertThat(report.crashes()).as(report.toString()).isEmpty();
        assertThat(report.cases()).isPositive();
    }
}
