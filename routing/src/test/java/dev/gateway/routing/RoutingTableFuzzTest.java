package dev.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.gateway.testsupport.FuzzHarness;

/**
 * Fuzzes the routing table file ({@link RoutingTableParser}) with {@link FuzzHarness} (brief in CI; see its javadoc
 * for long runs). The contract held: a table either loads or is refused with a {@link RoutingTableException} that
 * names a line of the file (1 up to the line after the last line break) and a problem; nothing else escapes. A
 * table that loads must route a recipient, before DATA and after it, without an exception: the server evaluates it
 * for every recipient, so a table that validates but breaks evaluation would turn mail away at run time.
 */
class RoutingTableFuzzTest {

    /** Line breaks as YAML counts them (YAML 1.1, SnakeYAML): CR LF, CR, LF, NEL, LS, PS. */
    private static final Pattern YAML_LINE_BREAK = Pattern.compile("\r\n|[\r\n\u0085\u2028\u2029]");

    /**
     * Valid tables: docs/routing.md's example (read from the page, so that the documented table is also held to
     * load), the unit tests' table, and one use of every field.
     */
    private static final List<String> VALID = List.of(documentedExample(), RoutingTableTest.TABLE_YAML, """
        smarthosts:
          a: {host: relay.example, tls: implicit, verify-certificate: false}
          b:
            host: h
            tls: none
            auth: {username: u, password-file: relay.secret}
            retry: {delays: [1 second, 3*2 seconds], max-retries: 0}
        rules:
          - name: everything
            when:
              recipient-regex: '^[a-z]+@example\\.test$'
              sender: [alice@example.test]
              sender-regex: 'example'
              size-over: 1K
              size-under: 10M
              spam-score-at-least: -1.5
              spam-score-below: 5.0
              source-network: [192.0.2.0/24, '2001:db8::/32', 198.51.100.7]
            action: redirect
            address: other@example.test
            remove-headers: [X-Spam-Status, Received]
          - {action: copy, address: a@b.example, continue: false}
          - {action: reject, reply: '451 4.7.1 Try again later', when: {authenticated: true}}
          - {action: stop}
        """);

    /** Invalid tables, each refused for a different reason, so that mutations start from the error paths too. */
    private static final List<String> INVALID = List.of(
        "rules:\n  - name: a\n    action: [deliver\n",
        "rules:\n  - name: a\n    action: deliver\n    recipient-domian: [x.example]\n",
        "rules:\n  - {action: teleport}\n",
        "rules:\n  - {action: relay, smarthost: nowhere}\n",
        "rules:\n  - {action: deliver, when: {recipient-regex: '(('}}\n",
        "rules:\n  - {name: a, action: deliver}\n  - {name: a, action: stop}\n",
        "smarthosts:\n  r: {host: h, port: 70000, retry: {delays: [soon]}}\n",
        "smarthosts:\n  r:\n    host: h\n    auth: {username: u, password-env: GATEWAY_PASSWORD}\n",
        "version: 2\n",
        "smarthosts: [a, b]\nrules: {a: b}\n",
        "rules:\n  - &r {action: deliver}\n  - *r\n  - !!str x\n");

    @TempDir
    Path folder;

    @Test
    void tablesLoadAndRouteOrAreRefusedWithALine() throws Exception {
        Files.writeString(folder.resolve("relay.secret"), "from-a-file\n");
        RoutingTableParser parser = new RoutingTableParser(
            name -> Optional.ofNullable(Map.of("SMARTHOST_PARTNER_PASSWORD", "s3cret").get(name)), folder);
        MailAddress recipient = new MailAddress("bob@partner.example");
        MessageFacts atRcpt = new MessageFacts(MaybeSender.of(new MailAddress("alice@example.test")), false,
            Optional.of(InetAddress.getByName("192.0.2.7")), Optional.empty());
        MessageFacts afterData = new MessageFacts(MaybeSender.nullSender(), true,
            Optional.of(InetAddress.getByName("2001:db8::1")), Optional.of(new MessageFacts.Content(
                Map.of("x-classification", List.of("Confidential")), 4096, Optional.of(7.5))));

        List<String> seeds = new ArrayList<>(VALID);
        seeds.addAll(INVALID);
        FuzzHarness.Report report = FuzzHarness.fromSystemProperties().run("RoutingTableParser.parse + route", seeds,
            Set.of(RoutingTableException.class), yaml -> {
                RoutingTable table;
                try {
                    table = parser.parse(yaml);
                } catch (RoutingTableException refusal) {
                    checkNamesALine(yaml, refusal);
                    throw refusal;
                }
                checkRoutes(table, recipient, atRcpt);
                checkRoutes(table, recipient, afterData);
            });

        System.out.println("fuzz " + report);
        assertThat(report.crashes()).as(report.toString()).isEmpty();
        // Both paths must have been exercised: the valid seeds load, the invalid ones (and most mutations) do not.
        assertThat(report.refused()).as(report.toString()).isPositive().isLessThan(report.cases());
    }

    /** The seeds are what they claim: otherwise the fuzzer would start from other places than intended. */
    @Test
    void validSeedsLoadAndInvalidOnesAreRefused() throws Exception {
        Files.writeString(folder.resolve("relay.secret"), "from-a-file\n");
        RoutingTableParser parser = new RoutingTableParser(
            name -> Optional.ofNullable(Map.of("SMARTHOST_PARTNER_PASSWORD", "s3cret").get(name)), folder);
        for (String yaml : VALID) {
            assertThat(parser.parse(yaml).rules()).as(yaml).isNotEmpty();
        }
        for (String yaml : INVALID) {
            try {
                parser.parse(yaml);
                throw new AssertionError("accepted: " + yaml);
            } catch (RoutingTableException refusal) {
                checkNamesALine(yaml, refusal);
            }
        }
    }

    /** The first YAML block of docs/routing.md (tests run in the module's folder, the docs are next to it). */
    private static String documentedExample() {
        try {
            String page = Files.readString(Path.of("..", "docs", "routing.md"));
            int fence = page.indexOf("```yaml\n");
            if (fence < 0) {
                throw new IllegalStateException("docs/routing.md has no yaml example any more");
            }
            int start = fence + "```yaml\n".length();
            return page.substring(start, page.indexOf("```", start));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void checkNamesALine(String yaml, RoutingTableException refusal) {
        int lines = (int) YAML_LINE_BREAK.matcher(yaml).results().count() + 1;
        if (refusal.line() < 1 || refusal.line() > lines || refusal.problem() == null || refusal.problem().isBlank()) {
            throw new AssertionError("refusal without a line of the file (1.." + lines + ") or a problem: " + refusal);
        }
    }

    private static void checkRoutes(RoutingTable table, MailAddress recipient, MessageFacts facts) {
        Route route = table.route(recipient, facts);
        boolean consistent = route.action().kind().terminal()
            && route.trace().size() >= 1 && route.trace().size() <= table.rules().size() + 1
            && table.rules().containsAll(route.matched())
            && route.decidedBy().map(rule -> rule.action().equals(route.action())).orElse(true);
        if (!consistent) {
            throw new AssertionError("inconsistent route " + route + " from " + table);
        }
        route.addHeaders();
        route.removeHeaders();
        route.copies();
    }
}
