package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.RawConnection;
import dev.gateway.testkit.SmtpSession;

/**
 * The front door on the MX listener (docs/front-door.md), against an authoritative DNS server on loopback serving
 * blocklist zones. Each client is a different loopback address (127.0.0.N), so each has its own listings; 127.0.0.1
 * is the trusted network.
 */
class FrontDoorIT {
    static final String SITES = "black.test=127.0.0.[2..11]*3, grey.test*1, white.test*-5, silent.test*9";

    @RegisterExtension
    @Order(1)
    static final ZoneServer DNS = new ZoneServer();

    @RegisterExtension
    @Order(2)
    static final GatewayExtension GATEWAY = new GatewayExtension(MailAuthenticationIT.USER, MailAuthenticationIT.PASSWORD,
        () -> MailAuthenticationIT.environment(DNS, Map.ofEntries(
            Map.entry("GATEWAY_DNSBL_SITES", SITES),
            Map.entry("GATEWAY_DNSBL_THRESHOLD", "3"),
            Map.entry("GATEWAY_DNSBL_DEADLINE", "2s"),
            Map.entry("GATEWAY_DNSBL_REVERSE_DNS_WEIGHT", "2"),
            // A resolver that waits this long for a silent list would show in the bound below.
            Map.entry("GATEWAY_DNS_TIMEOUT", "15s"),
            Map.entry("GATEWAY_DNS_RETRIES", "0"),
            Map.entry("GATEWAY_GREET_DELAY", "2s"),
            Map.entry("GATEWAY_REFUSE_UNOFFERED_PIPELINING", "true"),
            Map.entry("GATEWAY_HELO_CHECKS", "syntax, literal, our-name"),
            Map.entry("GATEWAY_GREYLIST_ENABLED", "true"),
            Map.entry("GATEWAY_GREYLIST_DELAY", "6s"),
            Map.entry("GATEWAY_GREYLIST_RETRY_WINDOW", "1h"),
            Map.entry("GATEWAY_GREYLIST_AUTO_ALLOWLIST_AFTER", "2"),
            // The clients of the other tests (127.0.0.1-31) are not greylisted; greylisting's are 127.0.0.40 and up.
            Map.entry("GATEWAY_GREYLIST_NEVER_NETWORKS", "127.0.0.0/27"),
            Map.entry("GATEWAY_GREYLIST_NEVER_DOMAINS", "big.test"))));

    @BeforeAll
    static void zones() throws Exception {
        DNS.publish("10.0.0.127.black.test", "A", "127.0.0.2", 300)
            .publish("11.0.0.127.grey.test", "A", "127.0.0.2", 300)
            .publish("12.0.0.127.black.test", "A", "127.0.0.4", 300)
            .publish("12.0.0.127.white.test", "A", "127.0.0.2", 300)
            .publish("13.0.0.127.black.test", "A", "127.0.0.255", 300)
            .publish("14.0.0.127.black.test", "A", "127.0.0.3", 300)
            .unanswered("14.0.0.127.silent.test")
            .unanswered("15.0.0.127.silent.test")
            .publish("1.0.0.127.black.test", "A", "127.0.0.2", 300)
            .publish("16.0.0.127.grey.test", "A", "127.0.0.2", 300)
            // 17 has a PTR name that does not resolve back to it; 16 has none.
            .publish("17.0.0.127.in-addr.arpa", "PTR", "client-17.sender.test", 300)
            .publish("client-17.sender.test", "A", "127.0.0.99", 300);
        // Every other client has forward-confirmed reverse DNS, so that only 16 and 17 are scored for it.
        for (int n : new int[] {10, 11, 12, 13, 14, 15, 20, 21, 22, 23, 24, 40, 41, 42, 43}) {
            DNS.publish(n + ".0.0.127.in-addr.arpa", "PTR", "client-" + n + ".sender.test", 300)
                .publish("client-" + n + ".sender.test", "A", "127.0.0." + n, 300);
        }
    }

    @Test
    void missingReverseDnsAddsItsWeight() throws Exception {
        assertThat(mailFrom("127.0.0.16"))
            .isEqualTo("554 5.7.1 Service unavailable; client [127.0.0.16] blocked using grey.test, no forward-confirmed reverse DNS");
        assertThat(mailFrom("127.0.0.17")).startsWith("250");
        assertThat(Files.readString(GATEWAY.process().log()))
            .contains("DNS lists score of [127.0.0.17] is 2, under 3: [] and no reverse DNS");
        assertThat(DNS.queries()).contains("17.0.0.127.in-addr.arpa PTR", "client-17.sender.test A");
    }

    @Test
    void aClientScoredOverTheThresholdIsRefusedAtMailFromNamingTheList() throws Exception {
        try (SmtpSession smtp = from("127.0.0.10")) {
            smtp.ehlo("mail.sender.test");
            assertThat(smtp.command("MAIL FROM:<someone@sender.test>"))
                .isEqualTo("554 5.7.1 Service unavailable; client [127.0.0.10] blocked using black.test");
            // Every further try in the session gets the same answer; nothing reaches RCPT.
            assertThat(smtp.command("MAIL FROM:<other@sender.test>")).startsWith("554 5.7.1");
            assertThat(smtp.command("RCPT TO:<" + MailAuthenticationIT.USER + ">")).startsWith("503");
        }
        assertThat(Files.readString(GATEWAY.process().log()))
            .contains("front door: dnsbl refused [127.0.0.10]: DNS lists score 3 >= 3 [black.test*3], sender <someone@sender.test>");
    }

    @Test
    void aClientUnderTheThresholdPasses() throws Exception {
        assertThat(mailFrom("127.0.0.11")).startsWith("250");
        assertThat(Files.readString(GATEWAY.process().log()))
            .contains("DNS lists score of [127.0.0.11] is 1, under 3: [grey.test]");
    }

    @Test
    void anAllowlistedClientPassesDespiteAListing() throws Exception {
        assertThat(mailFrom("127.0.0.12")).startsWith("250");
        assertThat(Files.readString(GATEWAY.process().log()))
            .contains("DNS lists score of [127.0.0.12] is -2, under 3: [black.test*3, white.test*-5]");
    }

    @Test
    void anAnswerOutsideTheFilterDoesNotCount() throws Exception {
        assertThat(mailFrom("127.0.0.13")).startsWith("250");
    }

    @Test
    void aListThatDoesNotAnswerCountsAsNotListedAndDelaysAtMostItsDeadline() throws Exception {
        long start = System.nanoTime();
        try (SmtpSession smtp = from("127.0.0.15")) {
            smtp.ehlo("mail.sender.test");
            assertThat(smtp.command("MAIL FROM:<someone@sender.test>")).startsWith("250");
        }
        Duration session = Duration.ofNanos(System.nanoTime() - start);
        assertThat(DNS.queries()).contains("15.0.0.127.silent.test A");
        assertThat(Files.readString(GATEWAY.process().log()))
            .contains("DNS list silent.test gave no answer about [127.0.0.15] within 2000 ms: counted as not listed");
        // The bound, not a speed: waiting for the resolver (15 s) instead of the deadline (2 s) would exceed it.
        assertThat(session).isLessThan(Duration.ofSeconds(10));

        // The other lists still count when one is silent.
        assertThat(mailFrom("127.0.0.14")).startsWith("554 5.7.1");
    }

    @Test
    void trustedNetworksAreNotLookedUp() throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(GATEWAY.process(), GatewayProcess.Port.SMTP, GATEWAY.tls())) {
            smtp.ehlo("office.example.test");
            assertThat(smtp.command("MAIL FROM:<someone@sender.test>")).startsWith("250");
        }
        assertThat(DNS.queries()).noneMatch(query -> query.startsWith("1.0.0.127."));
    }

    @Test
    void aClientThatTalksBeforeTheGreetingIsRefusedAndDisconnected() throws Exception {
        try (RawConnection raw = RawConnection.openFrom(InetAddress.getByName("127.0.0.20"), GATEWAY.process(),
            GatewayProcess.Port.SMTP)) {
            // The whole dialogue at once, as spam engines send it: the greeting is 2 s away.
            raw.send("EHLO mail.sender.test\r\nMAIL FROM:<someone@sender.test>\r\nRCPT TO:<"
                + MailAuthenticationIT.USER + ">\r\n");
            String received = raw.readUntilClosed(Duration.ofSeconds(20));
            assertThat(received).startsWith("554 5.5.1 Protocol error: talked before the greeting\r\n")
                .doesNotContain("220 ").doesNotContain("250");
        }
        assertThat(Files.readString(GATEWAY.process().log()))
            .contains("front door: early_talker refused [127.0.0.20]: sent a command before the greeting");
    }

    @Test
    void aClientThatWaitsForTheGreetingMayPipelineAfterEhlo() throws Exception {
        try (RawConnection raw = greeted("127.0.0.21")) {
            raw.send("EHLO mail.sender.test\r\n");
            assertThat(raw.smtpReply()).contains("250-PIPELINING");
            raw.send("MAIL FROM:<someone@sender.test>\r\nRCPT TO:<" + MailAuthenticationIT.USER + ">\r\nDATA\r\n");
            String replies = raw.readUntil(java.util.regex.Pattern.compile("(?m)^354 "), Duration.ofSeconds(20));
            assertThat(replies.split("\r\n")).extracting(line -> line.substring(0, 3))
                .containsExactly("250", "250", "354");
            raw.send("Subject: pipelined\r\n\r\nhello\r\n.\r\nQUIT\r\n");
            assertThat(raw.readUntilClosed(Duration.ofSeconds(20))).startsWith("250").contains("221");
        }
    }

    @Test
    void aHeloClientThatPipelinesIsRefusedAndDisconnected() throws Exception {
        try (RawConnection raw = greeted("127.0.0.23")) {
            raw.send("HELO mail.sender.test\r\n");
            assertThat(raw.smtpReply()).startsWith("250");
            // HELO offers no PIPELINING: two commands in one write, without waiting for the first reply.
            raw.send("MAIL FROM:<someone@sender.test>\r\nRCPT TO:<" + MailAuthenticationIT.USER + ">\r\n");
            assertThat(raw.readUntilClosed(Duration.ofSeconds(20)))
                .isEqualTo("554 5.5.1 Protocol error: pipelining without PIPELINING\r\n");
        }
        assertThat(Files.readString(GATEWAY.process().log()))
            .contains("front door: early_talker refused [127.0.0.23]: sent a command before the reply to the previous one");
    }

    @Test
    void aHeloClientThatWaitsForEachReplyDeliversAndItsContentIsNotLookedAt() throws Exception {
        try (RawConnection raw = greeted("127.0.0.24")) {
            raw.send("HELO mail.sender.test\r\n");
            assertThat(raw.smtpReply()).startsWith("250");
            raw.send("MAIL FROM:<someone@sender.test>\r\n");
            assertThat(raw.smtpReply()).startsWith("250");
            raw.send("RCPT TO:<" + MailAuthenticationIT.USER + ">\r\n");
            assertThat(raw.smtpReply()).startsWith("250");
            raw.send("DATA\r\n");
            assertThat(raw.smtpReply()).startsWith("354");
            // Many lines in one write: message content, which the pipelining test must not read as commands.
            raw.send("Subject: waited\r\n\r\nMAIL FROM:<not-a-command@sender.test>\r\nhello\r\n.\r\n");
            assertThat(raw.smtpReply()).startsWith("250");
            raw.send("QUIT\r\n");
            assertThat(raw.readUntilClosed(Duration.ofSeconds(20))).startsWith("221");
        }
        assertThat(Files.readString(GATEWAY.process().log())).doesNotContain("refused [127.0.0.24]");
    }

    @Test
    void heloNamesAreChecked() throws Exception {
        try (SmtpSession smtp = from("127.0.0.22")) {
            assertThat(smtp.ehlo(MailAuthenticationIT.HOSTNAME))
                .isEqualTo("550 5.7.1 <" + MailAuthenticationIT.HOSTNAME + ">: Helo command rejected: you are not me");
            assertThat(smtp.ehlo("[127.0.0.9]"))
                .isEqualTo("550 5.7.1 <[127.0.0.9]>: Helo command rejected: not your address");
            assertThat(smtp.ehlo("192.0.2.1")).isEqualTo("501 5.5.2 <192.0.2.1>: Helo command rejected: Invalid name");
            assertThat(smtp.command("MAIL FROM:<someone@sender.test>")).as("no HELO was accepted").startsWith("503");
            assertThat(smtp.ehlo("[127.0.0.22]")).startsWith("250");
            assertThat(smtp.command("MAIL FROM:<someone@sender.test>")).startsWith("250");
        }
        assertThat(Files.readString(GATEWAY.process().log()))
            .contains("front door: helo refused [127.0.0.22]: HELO " + MailAuthenticationIT.HOSTNAME
                + ": a stranger using our own name");
        try (SmtpSession smtp = SmtpSession.connect(GATEWAY.process(), GatewayProcess.Port.SMTP, GATEWAY.tls())) {
            assertThat(smtp.ehlo(MailAuthenticationIT.HOSTNAME)).as("trusted network").startsWith("250");
        }
    }

    /**
     * Greylisting against swaks run in a loop as a sending server retries: refused first, refused when retried before
     * the delay, accepted after it; two networks' passes allowlist the /24; never-greylisted domains pass at once.
     */
    @Test
    void greylistingRefusesTheFirstTryAndAcceptsARetryAfterTheDelay() throws Exception {
        Swaks bigSender = swaks("127.0.0.43", "news@mail.big.test");
        assertThat(bigSender.exit()).as(bigSender.output()).isZero();

        Swaks first = swaks("127.0.0.40", "a@sender.test");
        assertThat(first.output()).containsPattern("<\\*\\* 451 4\\.7\\.1 Greylisted, please try again in [1-6] seconds");
        assertThat(first.exit()).isNotZero();
        // Two senders retrying once a second, from two addresses of the same /24, at the same time.
        java.util.concurrent.CompletableFuture<java.util.List<Swaks>> a =
            java.util.concurrent.CompletableFuture.supplyAsync(() -> retryUntilAccepted("127.0.0.40", "a@sender.test"));
        java.util.List<Swaks> b = retryUntilAccepted("127.0.0.41", "b@sender.test");
        for (java.util.List<Swaks> tries : java.util.List.of(a.get(), b)) {
            assertThat(tries.get(tries.size() - 1).exit()).isZero();
            assertThat(tries.subList(0, tries.size() - 1)).as("every try before the accepted one was greylisted")
                .allSatisfy(refused -> assertThat(refused.output()).contains("451 4.7.1 Greylisted"));
        }
        assertThat(b.size()).as("b's first try and its retries within the delay were refused").isGreaterThan(2);
        String log = Files.readString(GATEWAY.process().log());
        for (String passed : new String[] {"greylist passed [127.0.0.40] 127.0.0.0/24 a@sender.test " + MailAuthenticationIT.USER,
            "greylist passed [127.0.0.41] 127.0.0.0/24 b@sender.test " + MailAuthenticationIT.USER}) {
            java.util.regex.Matcher after = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(passed)
                + " after (\\d+) s").matcher(log);
            assertThat(after.find()).as(passed).isTrue();
            assertThat(Integer.parseInt(after.group(1))).as("the server let it through only after the delay")
                .isGreaterThanOrEqualTo(6);
        }

        // Two triplets of 127.0.0.0/24 passed: a new sender from that network is taken at once.
        Swaks allowlisted = swaks("127.0.0.42", "c@sender.test");
        assertThat(allowlisted.exit()).as(allowlisted.output()).isZero();
        assertThat(Files.readString(GATEWAY.process().log())).doesNotContain("greylist refused [127.0.0.42]")
            .doesNotContain("greylist refused [127.0.0.43]");
    }

    private static Swaks swaks(String source, String from) throws Exception {
        return Swaks.send(GATEWAY.process(), source, from, MailAuthenticationIT.USER);
    }

    private static java.util.List<Swaks> retryUntilAccepted(String source, String from) {
        return Swaks.retryUntilAccepted(GATEWAY.process(), source, from, MailAuthenticationIT.USER);
    }

    /** The reply to MAIL FROM after EHLO, from a client at {@code address}. */
    static String mailFrom(String address) throws Exception {
        try (SmtpSession smtp = from(address)) {
            smtp.ehlo("mail.sender.test");
            return smtp.command("MAIL FROM:<someone@sender.test>");
        }
    }

    /** A raw connection from the address that has waited for the greeting. */
    static RawConnection greeted(String address) throws Exception {
        RawConnection raw = RawConnection.openFrom(InetAddress.getByName(address), GATEWAY.process(),
            GatewayProcess.Port.SMTP);
        assertThat(raw.smtpReply()).startsWith("220 " + MailAuthenticationIT.HOSTNAME);
        return raw;
    }

    static SmtpSession from(String address) throws Exception {
        return SmtpSession.connectFrom(InetAddress.getByName(address), GATEWAY.process(), GatewayProcess.Port.SMTP,
            GATEWAY.tls());
    }
}
