package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.Mailboxes;
import dev.gateway.testkit.SmtpSession;

/**
 * Mail authentication over real SMTP, with the DNS of a {@link ZoneServer} on loopback: DKIM signatures made by
 * dkimpy (Debian's python3-dkim) verify at the MX and their broken variants do not; mail the gateway signs verifies
 * with dkimpy against the published record; one Authentication-Results field under our authserv-id, forged ones
 * removed; SPF results for MAIL FROM and HELO. Mail from outside comes from 127.0.0.2, outside the trusted network.
 */
class MailAuthenticationIT {
    static final String USER = "rcpt@" + GatewayProcess.DOMAIN;
    static final String PASSWORD = "rcpt's secret";
    static final String HOSTNAME = "mx.gateway.test";
    static final String SENDER_DOMAIN = "sender.test";

    @RegisterExtension
    @Order(1)
    static final ZoneServer DNS = new ZoneServer();

    @RegisterExtension
    @Order(2)
    static final GatewayExtension GATEWAY = new GatewayExtension(USER, PASSWORD,
        () -> environment(DNS, Map.of("GATEWAY_ROUTING_TABLE", routingTable().toString(),
            "GATEWAY_DMARC_TRUSTED_FORWARDER_DOMAINS", "lists.test")));

    /** A routing table with one rule on an authentication result, as an integrator would write it. */
    static Path routingTable() {
        try {
            Path table = Files.createTempFile("routing-on-dmarc", ".yaml");
            Files.writeString(table, """
                rules:
                  - name: tag-dmarc-failures
                    when: {dmarc: fail}
                    action: none
                    add-headers: {X-Routed-On: dmarc-fail}
                """);
            table.toFile().deleteOnExit();
            return table;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * A gateway named HOSTNAME, on the DNS of {@code dns}, for which 127.0.0.1 is a trusted network, 127.0.0.2 is
     * outside, and 127.0.0.3 is outside but a trusted DMARC forwarder.
     */
    static Map<String, String> environment(ZoneServer dns, Map<String, String> more) {
        Map<String, String> environment = new java.util.HashMap<>(Map.of(
            "GATEWAY_HOSTNAME", HOSTNAME,
            "GATEWAY_TRUSTED_NETWORKS", "127.0.0.1/32",
            "GATEWAY_SPAM_ENABLED", "false",
            "GATEWAY_DMARC_TRUSTED_FORWARDERS", "127.0.0.3/32"));
        environment.putAll(more);
        return dns.gatewayEnvironment(environment);
    }

    @TempDir
    static Path keys;

    static String rsaRecord;

    @BeforeAll
    static void publishSenderRecords() throws Exception {
        rsaRecord = publishKey("rsa", "rsa");
        publishKey("ed", "ed25519");
        // "other" signs with a key whose public half is not the one published under its selector.
        writePrivateKey("other", generate("rsa"));
        DNS.publishTxt("other._domainkey." + SENDER_DOMAIN, record("rsa", generate("rsa")));
        writePrivateKey("broken", generate("rsa"));
        DNS.failing("broken._domainkey." + SENDER_DOMAIN);
        DNS.publishTxt(SENDER_DOMAIN, "v=spf1 ip4:127.0.0.2 -all");
        DNS.publishTxt("helo." + SENDER_DOMAIN, "v=spf1 a:nowhere." + SENDER_DOMAIN + " -all");
        // DMARC: our own domain says reject; the other three only serve the DMARC tests.
        DNS.publishTxt("_dmarc." + GatewayProcess.DOMAIN, "v=DMARC1; p=reject");
        DNS.publishTxt("_dmarc.aligned.test", "v=DMARC1; p=reject");
        DNS.publishTxt("aligned.test", "v=spf1 ip4:127.0.0.2 -all");
        DNS.publishTxt("rsa._domainkey.aligned.test", rsaRecord);
        DNS.publishTxt("_dmarc.quarantine.test", "v=DMARC1; p=quarantine");
        DNS.publishTxt("_dmarc.monitor.test", "v=DMARC1; p=none");
        DNS.publishTxt("lists.test", "v=spf1 ip4:127.0.0.2 -all");
    }

    @Test
    void signaturesMadeByDkimpyVerify() throws Exception {
        assertThat(ourResults(deliver(signed("rsa", "rsa-sha256", "relaxed/relaxed"))))
            .contains("dkim=pass header.d=sender.test header.s=rsa header.a=rsa-sha256");
        assertThat(ourResults(deliver(signed("rsa", "rsa-sha256", "simple/simple"))))
            .contains("dkim=pass header.d=sender.test header.s=rsa header.a=rsa-sha256");
        assertThat(ourResults(deliver(signed("ed", "ed25519-sha256", "relaxed/simple"))))
            .contains("dkim=pass header.d=sender.test header.s=ed header.a=ed25519-sha256");
    }

    @Test
    void brokenSignaturesDoNotPass() throws Exception {
        String good = signed("rsa", "rsa-sha256", "relaxed/relaxed");
        assertThat(ourResults(deliver(good.replace("this is a test", "this is a trap"))))
            .contains("dkim=fail (body hash did not verify) header.d=sender.test");
        assertThat(ourResults(deliver(good.replaceFirst("Subject: ", "Subject: Re: "))))
            .contains("dkim=fail (signature did not verify) header.d=sender.test");
        assertThat(ourResults(deliver(signed("other", "rsa-sha256", "relaxed/relaxed"))))
            .contains("dkim=fail (signature did not verify) header.d=sender.test header.s=other");
        assertThat(ourResults(deliver(signed("rsa", "rsa-sha256", "relaxed/relaxed", "--expired"))))
            .contains("dkim=fail (signature expired) header.d=sender.test");
        String limited = signed("rsa", "rsa-sha256", "relaxed/relaxed", "--length");
        assertThat(ourResults(deliver(limited))).contains("dkim=pass header.d=sender.test");
        assertThat(ourResults(deliver(limited + "Appended: click http://phish.example/\r\n")))
            .contains("dkim=policy (").contains("body bytes after l= are unsigned) header.d=sender.test");
    }

    @Test
    void rsaSha1IsReportedButNeverPasses() throws Exception {
        assertThat(ourResults(deliver(signed("rsa", "rsa-sha1", "relaxed/relaxed"))))
            .contains("dkim=policy (rsa-sha1 is not accepted, RFC 8301) header.d=sender.test header.s=rsa header.a=rsa-sha1")
            .doesNotContain("dkim=pass");
    }

    @Test
    void signaturesMadeByOpenDkimVerifyAndAreReportedAsTheRsaSha1TheyAre() throws Exception {
        // opendkim-testmsg signs with rsa-sha1, relaxed/simple, and has no option for anything else.
        String signed = run(List.of("opendkim-testmsg", "-C", "-d", SENDER_DOMAIN, "-s", "rsa", "-k",
            keys.resolve("rsa.pem").toString()), message("opendkim"));
        assertThat(ourResults(deliver(signed)))
            .contains("dkim=policy (rsa-sha1 is not accepted, RFC 8301) header.d=sender.test header.s=rsa header.a=rsa-sha1");
        assertThat(ourResults(deliver(signed.replace("this is a test", "this is a trap"))))
            .contains("dkim=fail (body hash did not verify) header.d=sender.test header.s=rsa header.a=rsa-sha1");
    }

    @Test
    void keysAreCachedForTheirTtlAndLookedUpAgainAfterIt() throws Exception {
        publishKey("long", "rsa", 3600);
        publishKey("short", "rsa", 1);
        String longQuery = "long._domainkey.sender.test TXT";
        String shortQuery = "short._domainkey.sender.test TXT";
        assertThat(ourResults(deliver(signed("long", "rsa-sha256", "relaxed/relaxed")))).contains("dkim=pass");
        assertThat(ourResults(deliver(signed("long", "rsa-sha256", "relaxed/relaxed")))).contains("dkim=pass");
        assertThat(DNS.queries()).filteredOn(longQuery::equals).hasSize(1);

        assertThat(ourResults(deliver(signed("short", "rsa-sha256", "relaxed/relaxed")))).contains("dkim=pass");
        assertThat(DNS.queries()).filteredOn(shortQuery::equals).hasSize(1);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1500)).untilAsserted(() -> {
            assertThat(ourResults(deliver(signed("short", "rsa-sha256", "relaxed/relaxed")))).contains("dkim=pass");
            assertThat(DNS.queries()).filteredOn(shortQuery::equals).hasSizeGreaterThan(1);
        });
    }

    @Test
    void keyLookupFailureIsTemperrorAndUnsignedMailIsNone() throws Exception {
        assertThat(ourResults(deliver(signed("broken", "rsa-sha256", "relaxed/relaxed"))))
            .contains("dkim=temperror (key lookup failed: ").contains("header.s=broken");
        assertThat(ourResults(deliver(message("unsigned")))).contains("dkim=none");
    }

    @Test
    void oneAuthenticationResultsFieldAndForgedOnesRemoved() throws Exception {
        String forged = "Authentication-Results: " + HOSTNAME.toUpperCase() + "; dkim=pass header.d=bank.test\r\n"
            + "Authentication-Results: (comment) " + HOSTNAME + " 1; spf=pass smtp.mailfrom=bank.test\r\n"
            + "Authentication-Results: relay.other.test; spf=pass smtp.mailfrom=forwarder.test\r\n"
            + message("forged results");
        String delivered = deliver(forged);
        List<String> fields = fields(delivered, "Authentication-Results");
        assertThat(fields).hasSize(2);
        assertThat(fields).filteredOn(field -> field.contains(HOSTNAME)).singleElement().satisfies(field -> {
            assertThat(field).startsWith("Authentication-Results: " + HOSTNAME + ";");
            assertThat(field).contains("dkim=none").doesNotContain("bank.test");
        });
        assertThat(fields).anySatisfy(field -> assertThat(field).contains("relay.other.test; spf=pass"));
    }

    @Test
    void spfOfMailFromAndHeloAgreesWithPyspf() throws Exception {
        String results = ourResults(deliver(message("spf"), "someone@" + SENDER_DOMAIN, "helo." + SENDER_DOMAIN));
        assertThat(results).contains("spf=pass smtp.mailfrom=sender.test").contains("spf=fail smtp.helo=helo.sender.test");
        assertThat(pyspf("127.0.0.2", "someone@" + SENDER_DOMAIN, "helo." + SENDER_DOMAIN)).isEqualTo("pass");
        assertThat(pyspf("127.0.0.2", "postmaster@helo." + SENDER_DOMAIN, "helo." + SENDER_DOMAIN)).isEqualTo("fail");
    }

    /** RFC 7208 cases: each MAIL FROM domain, the result expected, which pyspf must give too. */
    static final List<List<String>> SPF_CASES = List.of(
        List.of("pass.spf.test", "pass"),
        List.of("fail.spf.test", "fail"),
        List.of("softfail.spf.test", "softfail"),
        List.of("neutral.spf.test", "neutral"),
        List.of("norecord.spf.test", "none"),
        List.of("nx.spf.test", "none"),
        List.of("two.spf.test", "permerror"),
        List.of("syntax.spf.test", "permerror"),
        List.of("include.spf.test", "pass"),
        List.of("include-nx.spf.test", "permerror"),
        List.of("redirect.spf.test", "fail"),
        List.of("a.spf.test", "pass"),
        List.of("mx.spf.test", "pass"),
        List.of("exists.spf.test", "pass"),
        List.of("broken.spf.test", "temperror"));

    @Test
    void spfTableAgreesWithPyspf() throws Exception {
        DNS.publishTxt("pass.spf.test", "v=spf1 ip4:127.0.0.2 -all")
            .publishTxt("fail.spf.test", "v=spf1 ip4:192.0.2.1 -all")
            .publishTxt("softfail.spf.test", "v=spf1 ~all")
            .publishTxt("neutral.spf.test", "v=spf1 ?all")
            .publish("norecord.spf.test", "A", "192.0.2.7", 300)
            .publishTxt("two.spf.test", "v=spf1 -all").publishTxt("two.spf.test", "v=spf1 +all")
            .publishTxt("syntax.spf.test", "v=spf1 ip4:300.1.1.1 -all")
            .publishTxt("include.spf.test", "v=spf1 include:pass.spf.test -all")
            .publishTxt("include-nx.spf.test", "v=spf1 include:nx.spf.test -all")
            .publishTxt("redirect.spf.test", "v=spf1 redirect=fail.spf.test")
            .publishTxt("a.spf.test", "v=spf1 a -all").publish("a.spf.test", "A", "127.0.0.2", 300)
            .publishTxt("mx.spf.test", "v=spf1 mx -all").publish("mx.spf.test", "MX", "10 mail.mx.spf.test", 300)
            .publish("mail.mx.spf.test", "A", "127.0.0.2", 300)
            .publishTxt("exists.spf.test", "v=spf1 exists:%{i}.ip.spf.test -all")
            .publish("127.0.0.2.ip.spf.test", "A", "127.0.0.2", 300)
            .failing("broken.spf.test");
        List<String> disagreements = new ArrayList<>();
        for (List<String> spfCase : SPF_CASES) {
            String domain = spfCase.get(0);
            String expected = spfCase.get(1);
            Matcher ours = Pattern.compile("spf=(\\w+) smtp.mailfrom=" + Pattern.quote(domain) + ";")
                .matcher(ourResults(deliver(message("spf table " + domain), "someone@" + domain, "helo.spf.test")));
            assertThat(ours.find()).isTrue();
            String theirs = pyspf("127.0.0.2", "someone@" + domain, "helo.spf.test");
            if (!ours.group(1).equals(expected) || !theirs.equals(expected)) {
                disagreements.add(domain + ": expected " + expected + ", gateway " + ours.group(1) + ", pyspf " + theirs);
            }
        }
        assertThat(disagreements).isEmpty();
    }

    @Test
    void spoofedMailClaimingOurDomainIsRefusedByItsRejectPolicy() throws Exception {
        try (SmtpSession smtp = SmtpSession.connectFrom(InetAddress.getByName("127.0.0.2"), GATEWAY.process(),
            GatewayProcess.Port.SMTP, GATEWAY.tls())) {
            smtp.ehlo("mail." + SENDER_DOMAIN);
            // SPF passes for sender.test, DKIM is absent: nothing is aligned with the From domain, example.test.
            String reply = smtp.send("someone@" + SENDER_DOMAIN, message("ceo@" + GatewayProcess.DOMAIN, "wire transfer"), USER);
            assertThat(reply).isEqualTo("550 5.7.1 Unauthenticated mail from example.test is refused by its DMARC policy");
        }
    }

    @Test
    void trustedForwardersAreReportedButNotRefused() throws Exception {
        String subject = "forwarded " + UUID.randomUUID();
        try (SmtpSession smtp = SmtpSession.connectFrom(InetAddress.getByName("127.0.0.3"), GATEWAY.process(),
            GatewayProcess.Port.SMTP, GATEWAY.tls())) {
            smtp.ehlo("lists.forwarder.test");
            assertThat(smtp.send("list-bounces@forwarder.test", message("ceo@" + GatewayProcess.DOMAIN, subject), USER))
                .startsWith("250");
        }
        assertThat(ourResults(awaitDelivered(subject, "this is a test.")))
            .contains("dmarc=fail (p=reject dis=none, local override: trusted forwarder) header.from=example.test");
    }

    @Test
    void aForwarderDomainIsTrustedOnlyWhenAuthenticatedAsIt() throws Exception {
        String subject = "through the list " + UUID.randomUUID();
        assertThat(deliver(message("ceo@" + GatewayProcess.DOMAIN, subject), "members-bounces@lists.test", "mail.lists.test"))
            .satisfies(delivered -> assertThat(ourResults(delivered)).contains("spf=pass smtp.mailfrom=lists.test")
                .contains("dmarc=fail (p=reject dis=none, local override: trusted forwarder lists.test) header.from=example.test"));
        // A subdomain of the trusted one, with no SPF record: it only claims to be the list.
        try (SmtpSession smtp = SmtpSession.connectFrom(InetAddress.getByName("127.0.0.2"), GATEWAY.process(),
            GatewayProcess.Port.SMTP, GATEWAY.tls())) {
            smtp.ehlo("mail.lists.test");
            assertThat(smtp.send("members-bounces@claimed.lists.test", message("ceo@" + GatewayProcess.DOMAIN, "claimed"), USER))
                .isEqualTo("550 5.7.1 Unauthenticated mail from example.test is refused by its DMARC policy");
        }
    }

    @Test
    void alignedMailPassesDmarcByDkimOrBySpf() throws Exception {
        String byDkim = signedAs("aligned.test", message("news@aligned.test", "aligned by dkim"), "rsa", "rsa-sha256",
            "relaxed/relaxed");
        assertThat(ourResults(deliver(byDkim, "bounce@" + SENDER_DOMAIN, "mail." + SENDER_DOMAIN)))
            .contains("dkim=pass header.d=aligned.test").contains("dmarc=pass (p=reject dis=none) header.from=aligned.test");
        assertThat(ourResults(deliver(message("news@aligned.test", "aligned by spf"), "bounce@aligned.test", "mail.aligned.test")))
            .contains("spf=pass smtp.mailfrom=aligned.test").contains("dmarc=pass (p=reject dis=none) header.from=aligned.test");
        assertThat(ourResults(deliver(message("unaligned"))))
            .contains("dmarc=none header.from=sender.test");
    }

    @Test
    void routingRulesSeeTheDmarcResult() throws Exception {
        String failing = deliver(message("news@monitor.test", "monitored and unaligned"));
        assertThat(ourResults(failing)).contains("dmarc=fail (p=none dis=none) header.from=monitor.test");
        assertThat(fields(failing, "X-Routed-On")).containsExactly("X-Routed-On: dmarc-fail");

        String aligned = deliver(message("news@aligned.test", "aligned by spf"), "bounce@aligned.test", "mail.aligned.test");
        assertThat(ourResults(aligned)).contains("dmarc=pass");
        assertThat(fields(aligned, "X-Routed-On")).isEmpty();
    }

    @Test
    void quarantinePolicyPutsUnalignedMailInTheQuarantine() throws Exception {
        String subject = "quarantined by dmarc " + UUID.randomUUID();
        try (SmtpSession smtp = SmtpSession.connectFrom(InetAddress.getByName("127.0.0.2"), GATEWAY.process(),
            GatewayProcess.Port.SMTP, GATEWAY.tls())) {
            smtp.ehlo("mail." + SENDER_DOMAIN);
            assertThat(smtp.send("someone@" + SENDER_DOMAIN, message("news@quarantine.test", subject), USER)).startsWith("250");
        }
        String quarantined = await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (String key : GATEWAY.webAdmin().repositoryKeys("var/mail/quarantine")) {
                String raw = GATEWAY.webAdmin().repositoryMessage("var/mail/quarantine", key);
                if (Mailboxes.headers(raw).contains(subject)) {
                    return Optional.of(raw);
                }
            }
            return Optional.<String>empty();
        }, Optional::isPresent).get();
        assertThat(ourResults(quarantined)).contains("dmarc=fail (p=quarantine dis=quarantine) header.from=quarantine.test");
        assertThat(Mailboxes.inbox(GATEWAY.process(), GATEWAY.tls(), USER, PASSWORD))
            .noneMatch(raw -> Mailboxes.headers(raw).contains(subject));
    }

    @Test
    void mailOurUsersSendIsSignedAndVerifiesWithDkimpy() throws Exception {
        ensureOurKey();
        String subject = "signed by us " + UUID.randomUUID();
        try (SmtpSession smtp = SmtpSession.authenticatedSubmission(GATEWAY.process(), GATEWAY.tls(), USER, PASSWORD)) {
            String message = "From: Rcpt <" + USER + ">\r\nTo: " + USER + "\r\nSubject: " + subject
                + "\r\nDate: Mon, 30 Nov 2026 12:00:00 +0000\r\nMessage-ID: <" + UUID.randomUUID() + "@example.test>\r\n\r\n"
                + "Hello  from   inside,\r\nwith trailing space \r\n\r\n";
            assertThat(smtp.send(USER, message, USER)).startsWith("250");
        }
        String delivered = awaitDelivered(subject, "with trailing space");
        assertThat(fields(delivered, "DKIM-Signature")).singleElement().satisfies(field -> assertThat(field)
            .contains("a=rsa-sha256").contains("c=relaxed/relaxed").contains("d=example.test").contains("s=out"));
        assertThat(dkimpyVerify(delivered)).isEqualTo("pass");
        assertThat(dkimpyVerify(delivered.replace("Hello  from", "Hello from"))).isEqualTo("pass");
        assertThat(dkimpyVerify(delivered.replace("from   inside", "from outside"))).startsWith("fail");
        assertThat(openDkimVerify(delivered)).contains("verification (s=out, d=example.test, 2048-bit key) succeeded");
        assertThat(openDkimVerify(delivered.replace("from   inside", "from outside")))
            .contains("verification (s=out d=example.test, 2048-bit key").contains("failed").doesNotContain("succeeded");
    }

    @Test
    void mailFromTrustedNetworksOnTheMxIsSignedNotChecked() throws Exception {
        ensureOurKey();
        String subject = "relayed for a trusted network " + UUID.randomUUID();
        String message = "From: <" + USER + ">\r\nTo: " + USER + "\r\nSubject: " + subject
            + "\r\nAuthentication-Results: " + HOSTNAME + "; dkim=pass header.d=kept.test\r\n\r\nfrom the office\r\n";
        try (SmtpSession smtp = SmtpSession.connect(GATEWAY.process(), GatewayProcess.Port.SMTP, GATEWAY.tls())) {
            smtp.ehlo("office.example.test");
            assertThat(smtp.send(USER, message, USER)).startsWith("250");
        }
        String delivered = awaitDelivered(subject, "from the office");
        assertThat(dkimpyVerify(delivered)).isEqualTo("pass");
        // Not checked: ours is our own mail, so nothing is added and nothing removed.
        assertThat(fields(delivered, "Authentication-Results")).singleElement().satisfies(field ->
            assertThat(field).contains("kept.test"));
    }

    @Test
    void dnsRecordsPrintsWhatToPublishAndChecksItAgainstDns() throws Exception {
        ensureOurKey();
        String printed = GATEWAY.process().launcher(Duration.ofMinutes(2), "dns-records", GatewayProcess.DOMAIN);
        assertThat(printed).contains("example.test. IN MX 10 mx.gateway.test.")
            .contains("example.test. IN TXT \"v=spf1 mx -all\"")
            .contains("mx.gateway.test. IN TXT \"v=spf1 a -all\"")
            .contains("_dmarc.example.test. IN TXT \"v=DMARC1; p=none; rua=mailto:dmarc-reports@example.test; adkim=r; aspf=r\"");
        Matcher key = Pattern.compile("(?m)^out\\._domainkey\\.example\\.test\\. IN TXT (.*)$").matcher(printed);
        assertThat(key.find()).as(printed).isTrue();
        assertThat(String.join("", quotedStrings(key.group(1)))).isEqualTo(ourRecord);

        // Published so far (by the test's zone): our DKIM key and a DMARC record; no MX, no SPF for the domain.
        assertThatThrownBy(() -> GATEWAY.process().launcher(Duration.ofMinutes(2), "dns-records", GatewayProcess.DOMAIN, "--check"))
            .hasMessageContaining("exited 1")
            .hasMessageMatching("(?s).*; missing +MX +example\\.test +no MX record.*")
            .hasMessageMatching("(?s).*; missing +TXT +example\\.test +no SPF record.*")
            .hasMessageMatching("(?s).*; ok +TXT +out\\._domainkey\\.example\\.test +the key of selector out.*")
            .hasMessageMatching("(?s).*; ok +TXT +_dmarc\\.example\\.test +\"v=DMARC1; p=reject\".*");

        DNS.publish(GatewayProcess.DOMAIN, "MX", "10 mx.gateway.test.", 300);
        DNS.publishTxt(GatewayProcess.DOMAIN, "v=spf1 mx -all");
        DNS.publishTxt("mx.gateway.test", "v=spf1 a -all");
        String checked = GATEWAY.process().launcher(Duration.ofMinutes(2), "dns-records", GatewayProcess.DOMAIN, "--check");
        assertThat(checked).containsPattern("; ok +MX +example\\.test +names mx\\.gateway\\.test")
            .containsPattern("; ok +TXT +example\\.test +\"v=spf1 mx -all\"")
            .doesNotContain("; missing").doesNotContain("; wrong");
    }

    private static boolean ourKeyPublished;
    private static String ourRecord;

    /** Our domain's key, made by bin/gateway dkim keygen, its printed record published. */
    static synchronized void ensureOurKey() throws Exception {
        if (ourKeyPublished) {
            return;
        }
        String printed = GATEWAY.process().launcher(Duration.ofMinutes(2), "dkim", "keygen", GatewayProcess.DOMAIN,
            "--selector", "out");
        Matcher record = Pattern.compile("(?m)^(out\\._domainkey\\.example\\.test)\\. IN TXT (.*)$").matcher(printed);
        assertThat(record.find()).as(printed).isTrue();
        String txt = String.join("", quotedStrings(record.group(2)));
        assertThat(txt).startsWith("v=DKIM1; k=rsa; p=");
        DNS.publishTxt(record.group(1), txt);
        ourRecord = txt;
        ourKeyPublished = true;
    }

    // --- sending and reading back ---

    static String deliver(String message) throws Exception {
        return deliver(message, "someone@" + SENDER_DOMAIN, "mail." + SENDER_DOMAIN);
    }

    /** Sends a message from 127.0.0.2 to the MX port and returns it as delivered to the user's INBOX. */
    static String deliver(String message, String mailFrom, String helo) throws Exception {
        Matcher subject = Pattern.compile("(?m)^Subject: ([^\r\n]*)").matcher(message);
        assertThat(subject.find()).isTrue();
        String[] lines = message.stripTrailing().split("\r\n");
        String lastLine = lines[lines.length - 1];
        try (SmtpSession smtp = SmtpSession.connectFrom(InetAddress.getByName("127.0.0.2"), GATEWAY.process(),
            GatewayProcess.Port.SMTP, GATEWAY.tls())) {
            smtp.ehlo(helo);
            assertThat(smtp.send(mailFrom, message, USER)).startsWith("250");
        }
        return awaitDelivered(subject.group(1), lastLine);
    }

    static String awaitDelivered(String subject, String lastLine) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> Mailboxes.inbox(GATEWAY.process(), GATEWAY.tls(), USER, PASSWORD)
                .stream().filter(raw -> Mailboxes.headers(raw).contains("Subject: " + subject))
                .filter(raw -> raw.stripTrailing().endsWith(lastLine)).findFirst(),
            Optional::isPresent).get();
    }

    /** Our Authentication-Results field (exactly one), unfolded. */
    static String ourResults(String delivered) {
        List<String> ours = fields(delivered, "Authentication-Results").stream()
            .filter(field -> field.startsWith("Authentication-Results: " + HOSTNAME + ";")).toList();
        assertThat(ours).as(delivered).hasSize(1);
        return ours.get(0);
    }

    static List<String> fields(String raw, String name) {
        List<String> fields = new ArrayList<>();
        for (String line : Mailboxes.headers(raw).split("\r\n")) {
            if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                fields.add(line);
            }
        }
        return fields;
    }

    static String message(String subject) {
        return message("someone@" + SENDER_DOMAIN, subject);
    }

    static String message(String from, String subject) {
        return "From: Sender <" + from + ">\r\nTo: " + USER + "\r\nSubject: " + subject + " "
            + UUID.randomUUID() + "\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\nMessage-ID: <" + UUID.randomUUID()
            + "@sender.test>\r\n\r\nHello,\r\n\r\nthis is a test.\r\n";
    }

    // --- dkimpy and pyspf (e2e-tests/src/test/scripts/dkim_tool.py) ---

    static String signed(String selector, String algorithm, String canonicalization, String... flags) throws Exception {
        return signedAs(SENDER_DOMAIN, message(selector + " " + algorithm + " " + canonicalization + " "
            + String.join(" ", flags)), selector, algorithm, canonicalization, flags);
    }

    static String signedAs(String domain, String message, String selector, String algorithm, String canonicalization,
                           String... flags) throws Exception {
        List<String> command = new ArrayList<>(List.of("sign", "--key", keys.resolve(selector + ".pem").toString(),
            "--domain", domain, "--selector", selector, "--algorithm", algorithm, "--canonicalize", canonicalization));
        command.addAll(Arrays.asList(flags));
        return dkimTool(command, message);
    }

    static String dkimpyVerify(String message) throws Exception {
        return dkimTool(List.of("verify", "--dns", DNS.address()), message).strip();
    }

    /**
     * OpenDKIM's verifier (the {@code opendkim} package, in its test mode) on a message signed with our key. Its test
     * mode does not query DNS (its resolver sends nothing, checked with strace), so the record our zone publishes is
     * handed to it as it would have found it, through {@code TestPublicKeys}.
     */
    static String openDkimVerify(String message) throws Exception {
        Path folder = Files.createTempDirectory("opendkim");
        Path published = Files.writeString(folder.resolve("published-keys"), "out._domainkey.example.test " + ourRecord + "\n");
        Path configuration = Files.writeString(folder.resolve("opendkim.conf"),
            "Mode v\nSyslog no\nTestPublicKeys " + published + "\n");
        Path file = Files.writeString(folder.resolve("message.eml"), message, StandardCharsets.ISO_8859_1);
        return run(List.of("/usr/sbin/opendkim", "-x", configuration.toString(), "-t", file.toString()), "");
    }

    static String pyspf(String ip, String sender, String helo) throws Exception {
        return dkimTool(List.of("spf", "--dns", DNS.address(), ip, sender, helo), "").strip();
    }

    static String dkimTool(List<String> arguments, String stdin) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "src/test/scripts/dkim_tool.py"));
        command.addAll(arguments);
        return run(command, stdin);
    }

    static String run(List<String> command, String stdin) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.ISO_8859_1));
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(command + ": " + err).isZero();
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    // --- keys ---

    /** A new key pair for the selector under sender.test: the private key in a file, the record published. */
    static String publishKey(String selector, String algorithm) throws Exception {
        return publishKey(selector, algorithm, 300);
    }

    static String publishKey(String selector, String algorithm, int ttl) throws Exception {
        KeyPair pair = generate(algorithm);
        writePrivateKey(selector, pair);
        DNS.publish(selector + "._domainkey." + SENDER_DOMAIN, "TXT", record(algorithm, pair), ttl);
        return record(algorithm, pair);
    }

    static KeyPair generate(String algorithm) throws Exception {
        if (algorithm.equals("ed25519")) {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        }
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    /** dkimpy reads RSA keys as PEM and Ed25519 keys as the base64 of their 32-byte seed. */
    static void writePrivateKey(String selector, KeyPair pair) throws IOException {
        byte[] encoded = pair.getPrivate().getEncoded();
        String text = pair.getPrivate().getAlgorithm().equals("RSA")
            ? "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(encoded) + "\n-----END PRIVATE KEY-----\n"
            : Base64.getEncoder().encodeToString(Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length));
        Files.writeString(keys.resolve(selector + ".pem"), text);
    }

    static String record(String algorithm, KeyPair pair) {
        byte[] encoded = pair.getPublic().getEncoded();
        byte[] p = algorithm.equals("ed25519") ? Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length) : encoded;
        return "v=DKIM1; k=" + algorithm + "; p=" + Base64.getEncoder().encodeToString(p);
    }

    static List<String> quotedStrings(String zoneValue) {
        List<String> strings = new ArrayList<>();
        Matcher quoted = Pattern.compile("\"([^\"]*)\"").matcher(zoneValue);
        while (quoted.find()) {
            strings.add(quoted.group(1));
        }
        return strings;
    }
}
