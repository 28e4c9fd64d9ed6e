package dev.gateway.authentication.dmarc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.gateway.authentication.dns.TxtResolver;
import dev.gateway.authentication.dns.TxtResolver.TxtAnswer;

/** RFC 7489's rules on a table of cases; the examples of section 3.1.1 and appendix B.1 (alignment) among them. */
class DmarcEvaluatorTest {
    static final Map<String, List<String>> RECORDS = Map.of(
        "_dmarc.example.com", List.of("v=DMARC1; p=reject; rua=mailto:d@example.com"),
        "_dmarc.strict.example", List.of("v=DMARC1; p=reject; adkim=s; aspf=s"),
        "_dmarc.sub.example", List.of("v=DMARC1; p=none; sp=reject"),
        "_dmarc.sampled.example", List.of("v=DMARC1; p=quarantine; pct=50"),
        "_dmarc.two.example", List.of("v=DMARC1; p=reject", "v=DMARC1; p=none"),
        "_dmarc.nop.example", List.of("v=DMARC1; rua=mailto:d@nop.example"),
        "_dmarc.example.co.uk", List.of("v=DMARC1; p=reject"),
        "_dmarc.alice.github.io", List.of("v=DMARC1; p=reject"));
    static final TxtResolver DNS = name -> name.equals("_dmarc.broken.example")
        ? TxtAnswer.temporaryError("SERVFAIL") : TxtAnswer.found(RECORDS.getOrDefault(name, List.of()));

    static DmarcResult evaluate(String from, List<String> dkim, String spf, String spfDomain, int percentile) {
        return new DmarcEvaluator(DNS, () -> percentile).evaluate(Optional.of(from), dkim, Optional.of(spf), spfDomain);
    }

    static DmarcResult evaluate(String from, List<String> dkim, String spf, String spfDomain) {
        return evaluate(from, dkim, spf, spfDomain, 0);
    }

    @Test
    void alignmentRelaxedAndStrict() {
        assertThat(evaluate("example.com", List.of("example.com"), "none", "").result()).isEqualTo("pass");
        // 3.1.1: relaxed, a signature by a subdomain of the organizational domain is aligned.
        assertThat(evaluate("example.com", List.of("news.example.com"), "none", "").result()).isEqualTo("pass");
        assertThat(evaluate("example.com", List.of(), "pass", "bounces.example.com").result()).isEqualTo("pass");
        assertThat(evaluate("strict.example", List.of("mail.strict.example"), "pass", "mail.strict.example").result())
            .isEqualTo("fail");
        assertThat(evaluate("strict.example", List.of("strict.example"), "none", "").result()).isEqualTo("pass");
        assertThat(evaluate("strict.example", List.of(), "pass", "strict.example").result()).isEqualTo("pass");
    }

    /**
     * RFC 7489 appendix B.1, the worked alignment examples, word for word where the domains allow: example.com
     * publishes relaxed alignment (the default), strict.example strict ({@code adkim=s; aspf=s}).
     */
    @Test
    void theRfcsWorkedAlignmentExamples() {
        // B.1.1 SPF. MAIL FROM sender@example.com, From sender@example.com: in alignment.
        assertThat(evaluate("example.com", List.of(), "pass", "example.com").result()).isEqualTo("pass");
        // MAIL FROM sender@child.example.com, From sender@example.com: aligned when relaxed, not when strict.
        assertThat(evaluate("example.com", List.of(), "pass", "child.example.com").result()).isEqualTo("pass");
        assertThat(evaluate("strict.example", List.of(), "pass", "child.strict.example").result()).isEqualTo("fail");
        // MAIL FROM sender@example.org, From sender@example.com: not aligned.
        assertThat(evaluate("example.com", List.of(), "pass", "example.org").result()).isEqualTo("fail");

        // B.1.2 DKIM. d=example.com, From sender@example.com: in alignment.
        assertThat(evaluate("example.com", List.of("example.com"), "none", "").result()).isEqualTo("pass");
        // d=example.com, From sender@child.example.com: aligned when relaxed (the policy of example.com applies
        // through its organizational domain), not when strict.
        assertThat(evaluate("child.example.com", List.of("example.com"), "none", "").result()).isEqualTo("pass");
        assertThat(evaluate("child.strict.example", List.of("strict.example"), "none", "").result()).isEqualTo("fail");
        // d=sample.net, From sender@child.example.com: not aligned.
        assertThat(evaluate("child.example.com", List.of("sample.net"), "none", "").result()).isEqualTo("fail");
    }

    @Test
    void unalignedOrFailingIdentitiesFailWithThePolicysDisposition() {
        DmarcResult unaligned = evaluate("example.com", List.of("mailer.test"), "pass", "mailer.test");
        assertThat(unaligned.result()).isEqualTo("fail");
        assertThat(unaligned.disposition()).isEqualTo("reject");
        assertThat(unaligned.resinfo()).isEqualTo("dmarc=fail (p=reject dis=reject) header.from=example.com");
        assertThat(unaligned.overridden("trusted forwarder").resinfo())
            .isEqualTo("dmarc=fail (p=reject dis=none, local override: trusted forwarder) header.from=example.com");
        // SPF that did not pass aligns nothing, even for the right domain.
        assertThat(evaluate("example.com", List.of(), "softfail", "example.com").result()).isEqualTo("fail");
    }

    @Test
    void subdomainsUseSpFromTheOrganizationalDomain() {
        DmarcResult sub = evaluate("a.sub.example", List.of(), "none", "");
        assertThat(sub.result()).isEqualTo("fail");
        assertThat(sub.policy()).contains("reject");
        assertThat(sub.disposition()).isEqualTo("reject");
        assertThat(evaluate("sub.example", List.of(), "none", "").disposition()).isEqualTo("none");
    }

    @Test
    void pctSamplesAndMessagesOutsideTheSampleGetTheNextPolicyDown() {
        assertThat(evaluate("sampled.example", List.of(), "none", "", 49).disposition()).isEqualTo("quarantine");
        assertThat(evaluate("sampled.example", List.of(), "none", "", 50).disposition()).isEqualTo("none");
    }

    @Test
    void noRecordSeveralRecordsAndLookupFailures() {
        assertThat(evaluate("norecord.example", List.of(), "none", "").result()).isEqualTo("none");
        assertThat(evaluate("two.example", List.of(), "none", "").result()).isEqualTo("none");
        assertThat(evaluate("broken.example", List.of(), "none", "").result()).isEqualTo("temperror");
        // 6.6.3: a record without a valid p= but with rua= is read as p=none.
        assertThat(evaluate("nop.example", List.of(), "none", "").disposition()).isEqualTo("none");
        assertThat(evaluate("nop.example", List.of(), "none", "").result()).isEqualTo("fail");
    }

    @Test
    void organizationalDomainsFollowThePublicSuffixList() {
        assertThat(PublicSuffixes.builtIn().organizationalDomain("mail.example.co.uk")).isEqualTo("example.co.uk");
        assertThat(PublicSuffixes.builtIn().organizationalDomain("a.b.sender.test")).isEqualTo("sender.test");
        assertThat(evaluate("www.example.co.uk", List.of("example.co.uk"), "none", "").result()).isEqualTo("pass");
        assertThat(evaluate("example.co.uk", List.of("other.co.uk"), "none", "").result()).isEqualTo("fail");
        // github.io is a (private) public suffix: alice and bob are different organizations.
        assertThat(evaluate("alice.github.io", List.of("bob.github.io"), "none", "").result()).isEqualTo("fail");
    }
}
