package dev.gateway.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MailAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RecipientSpamThresholdsTest {

    private static final SpamThresholds DEFAULTS = new SpamThresholds(5.0, 10.0, 15.0);
    private static final String FILE = "spam-thresholds.xml";

    private static RecipientSpamThresholds read(String entries) throws ConfigurationException {
        String xml = "<?xml version=\"1.0\"?>\n<thresholds>\n" + entries + "\n</thresholds>\n";
        return RecipientSpamThresholds.read(DEFAULTS, new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), FILE);
    }

    private static SpamThresholds of(RecipientSpamThresholds thresholds, String recipient) throws Exception {
        return thresholds.forRecipient(new MailAddress(recipient));
    }

    @Test
    void anAddressBeatsItsDomainWhichBeatsTheDefaultsThresholdByThreshold() throws Exception {
        RecipientSpamThresholds thresholds = read("""
            <domain name="strict.example" quarantine="4.0" reject="8"/>
            <user address="boss@strict.example" tag="2.5"/>
            <user address="lenient@strict.example" quarantine="off" reject="off"/>
            <user address="vip@other.example" reject="30"/>
            """);

        assertThat(of(thresholds, "anyone@strict.example")).isEqualTo(new SpamThresholds(5.0, 4.0, 8.0));
        assertThat(of(thresholds, "boss@strict.example")).isEqualTo(new SpamThresholds(2.5, 4.0, 8.0));
        assertThat(of(thresholds, "lenient@strict.example"))
            .isEqualTo(new SpamThresholds(5.0, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY));
        assertThat(of(thresholds, "vip@other.example")).isEqualTo(new SpamThresholds(5.0, 10.0, 30.0));
        assertThat(of(thresholds, "someone@other.example")).isEqualTo(DEFAULTS);
        assertThat(thresholds.domainCount()).isEqualTo(1);
        assertThat(thresholds.userCount()).isEqualTo(3);
    }

    @Test
    void domainsAndAddressesCompareInLowerCase() throws Exception {
        RecipientSpamThresholds thresholds = read("""
            <domain name="Strict.Example" quarantine="4"/>
            <user address="Boss@STRICT.example" tag="1"/>
            """);

        assertThat(of(thresholds, "x@STRICT.EXAMPLE").quarantine()).isEqualTo(4.0);
        assertThat(of(thresholds, "boss@strict.example").tag()).isEqualTo(1.0);
        assertThat(of(thresholds, "BOSS@Strict.Example").tag()).isEqualTo(1.0);
    }

    @Test
    void aSubdomainIsNotItsParentDomain() throws Exception {
        RecipientSpamThresholds thresholds = read("<domain name=\"strict.example\" quarantine=\"4\"/>");

        assertThat(of(thresholds, "x@mail.strict.example")).isEqualTo(DEFAULTS);
    }

    @Test
    void anEmptyFileMeansTheDefaultsForEveryone() throws Exception {
        RecipientSpamThresholds thresholds = read("<!-- <domain name=\"strict.example\" quarantine=\"4\"/> -->");

        assertThat(of(thresholds, "x@strict.example")).isEqualTo(DEFAULTS);
        assertThat(thresholds.domainCount() + thresholds.userCount()).isZero();
    }

    @Test
    void uniformGivesTheDefaultsToEveryone() throws Exception {
        assertThat(of(RecipientSpamThresholds.uniform(DEFAULTS), "x@strict.example")).isEqualTo(DEFAULTS);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "<domain name='strict.example' quarantine='abc'/>  | <domain name=\"strict.example\" quarantine=\"abc\">: quarantine 'abc' is neither a number nor off",
        "<domain name='strict.example' reject=''/>         | reject '' is neither a number nor off",
        "<domain name='strict.example' tag='NaN'/>         | tag 'NaN' is neither a number nor off",
        "<domain name='strict.example'/>                   | <domain name=\"strict.example\">: sets no threshold",
        "<domain quarantine='4'/>                          | <domain quarantine=\"4\">: the attribute name is missing",
        "<domain name='bad domain' quarantine='4'/>        | 'bad domain' is not a domain",
        "<domain name='a@strict.example' quarantine='4'/>  | 'a@strict.example' is an address: use <user address=...>",
        "<domain name='strict.example' quarantin='4'/>     | unknown attribute quarantin",
        "<domain name='strict.example'>4</domain>          | the element must be empty",
        "<user address='not an address' tag='1'/>          | <user address=\"not an address\" tag=\"1\">: 'not an address' is not a mail address",
        "<user name='boss@strict.example' tag='1'/>        | unknown attribute name, expected address",
        "<user address='boss@strict.example'/>             | sets no threshold",
        "<user zebra='1' reject='off' tag='2' address='b@strict.example' alpha='1'/> | <user address=\"b@strict.example\" tag=\"2\" reject=\"off\" alpha=\"1\" zebra=\"1\">: unknown attribute",
        "<recipient address='boss@strict.example' tag='1'/> | <recipient address=\"boss@strict.example\" tag=\"1\">: unknown element",
        "<domain name='a.example' tag='1'/><domain name='A.example' reject='2'/> | the domain a.example is listed twice",
        "<user address='b@a.example' tag='1'/><user address='B@a.example' tag='2'/> | the address b@a.example is listed twice",
    })
    void refusesABadEntryNamingItAndTheFile(String entries, String message) {
        assertThatThrownBy(() -> read(entries.replace('\'', '"')))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageStartingWith(FILE + ": ")
            .hasMessageContaining(message);
    }

    @Test
    void refusesAnotherRootElementAndMalformedXml() {
        assertThatThrownBy(() -> RecipientSpamThresholds.read(DEFAULTS,
                new ByteArrayInputStream("<spam><domain name=\"a.example\" tag=\"1\"/></spam>".getBytes(StandardCharsets.UTF_8)), FILE))
            .isInstanceOf(ConfigurationException.class).hasMessageContaining("the root element must be <thresholds>, not <spam>");
        assertThatThrownBy(() -> read("<domain name=\"a.example\" tag=\"1\">"))
            .isInstanceOf(ConfigurationException.class).hasMessageContaining(FILE + ": not a well-formed XML document");
    }
}
