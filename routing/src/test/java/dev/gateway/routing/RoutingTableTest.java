package dev.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.junit.jupiter.api.Test;

class RoutingTableTest {

    /** A table using most conditions and actions; RoutingTableFuzzTest starts from it too. */
    static final String TABLE_YAML = """
        smarthosts:
          partner-relay: {host: 127.0.0.1}
        rules:
          - name: tag-everything
            action: none
            add-headers: {X-Gateway-Routed: "yes"}
          - name: archive
            when: {sender-domain: [example.test]}
            action: copy
            address: archive@example.test
          - name: partner
            when: {recipient-domain: [partner.example]}
            action: relay
            smarthost: partner-relay
          - name: confidential
            when: {header: {X-Classification: "(?i)confidential"}}
            action: quarantine
          - name: internal-only
            when: {recipient: [board@example.test], authenticated: false}
            action: reject
            reply: 550 5.7.1 The board takes mail from colleagues only
          - name: lab
            when: {source-network: [10.1.0.0/16]}
            action: deliver
        """;
    private static final RoutingTable TABLE = table(TABLE_YAML);

    private static RoutingTable table(String yaml) {
        try {
            return new RoutingTableParser(name -> Optional.empty(), Path.of(".")).parse(yaml);
        } catch (RoutingTableException e) {
            throw new AssertionError(e);
        }
    }

    private static MailAddress address(String text) throws Exception {
        return new MailAddress(text);
    }

    private static MessageFacts atRcpt(String sender, boolean authenticated) throws Exception {
        return new MessageFacts(MaybeSender.of(address(sender)), authenticated,
            Optional.of(InetAddress.getByName("192.0.2.7")), Optional.empty());
    }

    private static MessageFacts afterData(String sender, Map<String, List<String>> headers) throws Exception {
        return new MessageFacts(MaybeSender.of(address(sender)), false, Optional.of(InetAddress.getByName("192.0.2.7")),
            Optional.of(new MessageFacts.Content(headers, 1000, Optional.empty())));
    }

    @Test
    void eachRecipientOfOneMessageIsRoutedOnItsOwn() throws Exception {
        MessageFacts facts = afterData("someone@remote.example", Map.of());
        Route partner = TABLE.route(address("bob@partner.example"), facts);
        Route local = TABLE.route(address("alice@example.test"), facts);

        assertThat(partner.action().kind()).isEqualTo(Action.Kind.RELAY);
        assertThat(partner.action().smarthost()).contains("partner-relay");
        assertThat(partner.decidedBy().orElseThrow().name()).isEqualTo("partner");
        assertThat(local.action().kind()).isEqualTo(Action.Kind.DEFAULT);
        assertThat(local.decidedBy()).isEmpty();
    }

    @Test
    void continuingRulesAddTheirEffectsBeforeTheDecidingOne() throws Exception {
        Route route = TABLE.route(address("bob@partner.example"), afterData("alice@example.test", Map.of()));
        assertThat(route.matched()).extracting(Rule::name).containsExactly("tag-everything", "archive", "partner");
        assertThat(route.addHeaders()).containsEntry("X-Gateway-Routed", "yes");
        assertThat(route.copies()).containsExactly(address("archive@example.test"));
    }

    @Test
    void firstTerminalMatchWins() throws Exception {
        Route route = TABLE.route(address("bob@partner.example"),
            afterData("x@remote.example", Map.of("x-classification", List.of("Confidential"))));
        assertThat(route.decidedBy().orElseThrow().name()).isEqualTo("partner");

        Route other = TABLE.route(address("carol@example.test"),
            afterData("x@remote.example", Map.of("X-Classification", List.of("confidential"))));
        assertThat(other.action().kind()).isEqualTo(Action.Kind.QUARANTINE);
    }

    @Test
    void beforeDataAHeaderRuleLeavesLaterRulesUndecided() throws Exception {
        Route route = TABLE.route(address("board@example.test"), atRcpt("x@remote.example", false));
        assertThat(route.decided()).isFalse();
        assertThat(route.undecidedAt().orElseThrow().name()).isEqualTo("confidential");
        assertThat(route.trace()).last().asString().contains("cannot be decided yet, needs header");

        Route partner = TABLE.route(address("bob@partner.example"), atRcpt("x@remote.example", false));
        assertThat(partner.decided()).isTrue();
        assertThat(partner.action().kind()).isEqualTo(Action.Kind.RELAY);
    }

    @Test
    void rejectCarriesItsReply() throws Exception {
        Route route = TABLE.route(address("Board@example.test"), afterData("x@remote.example", Map.of()));
        assertThat(route.action().kind()).isEqualTo(Action.Kind.REJECT);
        assertThat(route.action().reply().orElseThrow().code()).isEqualTo("550");

        Route colleague = TABLE.route(address("board@example.test"), new MessageFacts(MaybeSender.of(address("a@example.test")),
            true, Optional.empty(), Optional.of(new MessageFacts.Content(Map.of(), 10, Optional.empty()))));
        assertThat(colleague.action().kind()).isNotEqualTo(Action.Kind.REJECT);
    }

    @Test
    void sourceNetworkMatchesByPrefixAndIsUnknownWithoutASource() throws Exception {
        MessageFacts lab = new MessageFacts(MaybeSender.nullSender(), false, Optional.of(InetAddress.getByName("10.1.200.3")),
            Optional.of(new MessageFacts.Content(Map.of(), 10, Optional.empty())));
        assertThat(TABLE.route(address("carol@example.test"), lab).action().kind()).isEqualTo(Action.Kind.DELIVER);

        MessageFacts outside = new MessageFacts(MaybeSender.nullSender(), false, Optional.of(InetAddress.getByName("10.2.0.1")),
            Optional.of(new MessageFacts.Content(Map.of(), 10, Optional.empty())));
        assertThat(TABLE.route(address("carol@example.test"), outside).action().kind()).isEqualTo(Action.Kind.DEFAULT);

        MessageFacts unknown = new MessageFacts(MaybeSender.nullSender(), false, Optional.empty(),
            Optional.of(new MessageFacts.Content(Map.of(), 10, Optional.empty())));
        assertThat(TABLE.route(address("carol@example.test"), unknown).decided()).isFalse();
    }

    @Test
    void authenticationResultsAreConditionsAndAnUncheckedMessageMatchesNone() throws Exception {
        RoutingTable table = table("""
            rules:
              - name: spoofed
                when: {dmarc: fail}
                action: quarantine
              - name: unsigned-from-partner
                when: {sender-domain: [partner.example], dkim: [none, fail, policy]}
                action: reject
            """);
        MaybeSender partner = MaybeSender.of(address("news@partner.example"));
        Optional<InetAddress> client = Optional.of(InetAddress.getByName("192.0.2.7"));

        MessageFacts failing = new MessageFacts(partner, false, client, Optional.of(new MessageFacts.Content(Map.of(), 10,
            Optional.empty(), Map.of(AuthenticationMethod.DMARC, "fail", AuthenticationMethod.DKIM, "pass"))));
        assertThat(table.route(address("carol@example.test"), failing).decidedBy().orElseThrow().name()).isEqualTo("spoofed");

        MessageFacts unsigned = new MessageFacts(partner, false, client, Optional.of(new MessageFacts.Content(Map.of(), 10,
            Optional.empty(), Map.of(AuthenticationMethod.DMARC, "none", AuthenticationMethod.DKIM, "none"))));
        assertThat(table.route(address("carol@example.test"), unsigned).decidedBy().orElseThrow().name())
            .isEqualTo("unsigned-from-partner");

        MessageFacts unchecked = new MessageFacts(partner, true, client,
            Optional.of(new MessageFacts.Content(Map.of(), 10, Optional.empty())));
        assertThat(table.route(address("carol@example.test"), unchecked).decidedBy()).isEmpty();

        Route atRcpt = table.route(address("carol@example.test"), new MessageFacts(partner, false, client, Optional.empty()));
        assertThat(atRcpt.decided()).isFalse();
        assertThat(atRcpt.undecidedAt().orElseThrow().name()).isEqualTo("spoofed");
    }

    @Test
    void explainTakesAuthenticationResultsAndRefusesOnesThatCannotHappen() {
        RoutingTable table = table("""
            rules:
              - name: spoofed
                when: {dmarc: [fail, permerror]}
                action: quarantine
            """);
        List<ExplainRequest.Answer> answers = new ExplainRequest("x@remote.example", List.of("carol@example.test"), null,
            false, "192.0.2.7", null, null, null, "pass", "none", "fail").explain(table);
        assertThat(answers).extracting(ExplainRequest.Answer::rule).containsExactly("spoofed");

        assertThatThrownBy(() -> new ExplainRequest("x@remote.example", List.of("carol@example.test"), null,
            false, null, null, null, null, null, null, "failed").explain(table))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dmarc: 'failed' is not a result");
    }

    @Test
    void networkMatchingHandlesIpv6AndPartialBytes() throws Exception {
        assertThat(Network.parse("2001:db8::/32").contains(InetAddress.getByName("2001:db8:1::1"))).isTrue();
        assertThat(Network.parse("2001:db8::/32").contains(InetAddress.getByName("2001:db9::1"))).isFalse();
        assertThat(Network.parse("192.168.0.0/23").contains(InetAddress.getByName("192.168.1.255"))).isTrue();
        assertThat(Network.parse("192.168.0.0/23").contains(InetAddress.getByName("192.168.2.0"))).isFalse();
        assertThat(Network.parse("192.168.0.0/23").contains(InetAddress.getByName("::1"))).isFalse();
    }
}
