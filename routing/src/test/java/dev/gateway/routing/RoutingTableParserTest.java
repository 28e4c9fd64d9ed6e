package dev.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutingTableParserTest {

    @TempDir
    Path folder;

    private RoutingTableParser parser(Map<String, String> environment) {
        return new RoutingTableParser(name -> Optional.ofNullable(environment.get(name)), folder);
    }

    private RoutingTableException refusal(String yaml) {
        try {
            parser(Map.of()).parse(yaml);
        } catch (RoutingTableException e) {
            return e;
        }
        throw new AssertionError("accepted: " + yaml);
    }

    @Test
    void fullTableIsRead() throws Exception {
        RoutingTable table = parser(Map.of("RELAY_PASSWORD", "s3cret")).parse("""
            version: 1
            smarthosts:
              partner-relay:
                host: 127.0.0.1
                port: 2587
                tls: starttls-required
                auth:
                  username: relay-user
                  password-env: RELAY_PASSWORD
                retry:
                  delays: [1 second, 3*2 seconds]
                  max-retries: 4
            rules:
              - name: partner
                when:
                  recipient-domain: [Partner.Example]
                action: relay
                smarthost: partner-relay
                add-headers: {X-Routed: partner}
              - name: big
                when: {size-over: 10M}
                action: quarantine
              - name: nobody
                when: {recipient: [nobody@example.test]}
                action: reject
                reply: 550 5.1.1 No such user here
            """);
        Smarthost relay = table.smarthosts().get("partner-relay");
        assertThat(relay.port()).isEqualTo(2587);
        assertThat(relay.credentials().orElseThrow().password().reveal()).isEqualTo("s3cret");
        assertThat(relay.toString()).doesNotContain("s3cret").contains("****");
        assertThat(relay.retryDelays()).containsExactly("1 second", "3*2 seconds");
        assertThat(table.rules()).extracting(Rule::name).containsExactly("partner", "big", "nobody");
        assertThat(table.rules().get(0).line()).isEqualTo(14);
        assertThat(table.rules().get(2).action().reply().orElseThrow()).hasToString("550 5.1.1 No such user here");
    }

    @Test
    void smarthostDefaultsFollowTheTlsMode() throws Exception {
        RoutingTable table = parser(Map.of()).parse("""
            smarthosts:
              a: {host: relay.example}
              b: {host: relay.example, tls: implicit}
            """);
        assertThat(table.smarthosts().get("a").tls()).isEqualTo(Smarthost.Tls.STARTTLS_REQUIRED);
        assertThat(table.smarthosts().get("a").port()).isEqualTo(587);
        assertThat(table.smarthosts().get("a").verifyCertificate()).isTrue();
        assertThat(table.smarthosts().get("a").maxRetries()).isEqualTo(10);
        assertThat(table.smarthosts().get("b").port()).isEqualTo(465);
    }

    @Test
    void emptyFileIsAnEmptyTable() throws Exception {
        assertThat(parser(Map.of()).parse("").rules()).isEmpty();
    }

    @Test
    void anAuthenticationResultThatCannotHappenIsRefused() {
        RoutingTableException e = refusal("""
            rules:
              - name: a
                when: {dmarc: [fial]}
                action: quarantine
            """);
        assertThat(e.problem()).contains("dmarc: 'fial' is not a result").contains("fail");
    }

    @Test
    void unknownFieldIsRefusedWithItsLine() {
        RoutingTableException e = refusal("""
            rules:
              - name: a
                action: deliver
                recipient-domian: [x.example]
            """);
        assertThat(e.line()).isEqualTo(4);
        assertThat(e.problem()).contains("unknown field 'recipient-domian'");
    }

    @Test
    void undefinedSmarthostIsRefusedWithTheRuleLine() {
        RoutingTableException e = refusal("""
            rules:
              - name: first
                action: deliver
              - name: second
                when: {recipient-domain: [x.example]}
                action: relay
                smarthost: nowhere
            """);
        assertThat(e.line()).isEqualTo(4);
        assertThat(e.problem()).contains("smarthost 'nowhere' is not defined");
        assertThat(e.getMessage()).startsWith("line 4: ");
    }

    @Test
    void yamlSyntaxErrorNamesTheLine() {
        RoutingTableException e = refusal("""
            rules:
              - name: a
                action: [deliver
            """);
        assertThat(e.line()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void everyKindOfMistakeIsRefused() {
        assertThat(refusal("rules:\n  - {action: teleport}\n").problem()).contains("'teleport' is not one of");
        assertThat(refusal("rules:\n  - {action: deliver, when: {recipient-regex: '(('}}\n").problem())
            .contains("not a valid regular expression");
        assertThat(refusal("rules:\n  - {action: deliver, when: {source-network: [10.0.0.0/33]}}\n").problem())
            .contains("prefix length out of range");
        assertThat(refusal("rules:\n  - {action: reject, reply: '250 2.0.0 fine'}\n").problem()).contains("4xx or 5xx");
        assertThat(refusal("rules:\n  - {action: reject, reply: '550 4.7.1 mixed'}\n").problem()).contains("same class");
        assertThat(refusal("rules:\n  - {action: redirect}\n").problem()).contains("needs address");
        assertThat(refusal("rules:\n  - {action: deliver, continue: true}\n").problem()).contains("continue is only allowed");
        assertThat(refusal("rules:\n  - {action: deliver, when: {size-over: lots}}\n").problem()).contains("not a size");
        assertThat(refusal("rules:\n  - {name: a, action: deliver}\n  - {name: a, action: stop}\n").line()).isEqualTo(3);
        assertThat(refusal("smarthosts:\n  r: {host: h, tls: maybe}\n").problem()).contains("tls 'maybe'");
        assertThat(refusal("smarthosts:\n  r: {host: h, retry: {delays: [soon]}}\n").problem()).contains("retry delay 'soon'");
    }

    /** Found by RoutingTableFuzzTest: empty entries were a NullPointerException instead of a refusal. */
    @Test
    void emptyEntriesAreRefusedWithTheirLine() {
        RoutingTableException rule = refusal("rules:\n  - {name: a, action: deliver}\n  -\n  - {name: b, action: stop}\n");
        assertThat(rule.line()).isEqualTo(3);
        assertThat(rule.problem()).isEqualTo("rule #2 is empty: it needs at least an action");

        RoutingTableException smarthost = refusal("smarthosts:\n  a: {host: h}\n  parts:\n  b: {host: h}\n");
        assertThat(smarthost.line()).isEqualTo(3);
        assertThat(smarthost.problem()).isEqualTo("smarthost 'parts' is empty: it needs at least a host");

        assertThat(refusal("smarthosts:\n  r: {host: h, retry: {delays: [1 hour, ~]}}\n").problem())
            .contains("a retry delay is empty");
        assertThat(refusal("rules:\n  - {action: deliver, when: {header: {X-Flag: ~}}}\n").problem())
            .isEqualTo("header X-Flag is empty: it needs a regular expression");
    }

    @Test
    void missingSecretIsRefusedWithoutShowingAnyValue() throws Exception {
        RoutingTableException e = refusal("""
            smarthosts:
              r:
                host: h
                auth: {username: u, password-env: NOT_SET_ANYWHERE}
            """);
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.problem()).contains("NOT_SET_ANYWHERE").contains("is not set");

        Files.writeString(folder.resolve("relay.secret"), "from-a-file\n");
        RoutingTable table = parser(Map.of()).parse("""
            smarthosts:
              r:
                host: h
                auth: {username: u, password-file: relay.secret}
            """);
        assertThat(table.smarthosts().get("r").credentials().orElseThrow().password().reveal()).isEqualTo("from-a-file");
    }
}
