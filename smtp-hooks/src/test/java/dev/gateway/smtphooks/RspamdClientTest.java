package dev.gateway.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

/** rspamd 3.4's answers, as it gave them to curl on this machine (Debian's rspamd package, bin/rspamd's config). */
class RspamdClientTest {

    private static String http(int status, String reason, String body) {
        return "HTTP/1.1 " + status + " " + reason + "\r\nConnection: close\r\nServer: rspamd/3.4\r\n"
            + "Content-Length: " + body.length() + "\r\nContent-Type: application/json\r\n\r\n" + body;
    }

    @Test
    void gtubeIsAForcedRejectWhateverItsScore() throws Exception {
        SpamEngine.Result result = RspamdClient.parseCheckAnswer(http(200, "OK",
            "{\"is_skipped\":true,\"score\":15.0,\"required_score\":15.0,\"action\":\"reject\",\"symbols\":{\"GTUBE\":"
                + "{\"name\":\"GTUBE\",\"score\":0.0,\"metric_score\":0.0}},\"messages\":{\"smtp_message\":\"Gtube pattern\"},"
                + "\"message-id\":\"gt1@example.com\",\"time_real\":0.000319}"));

        assertThat(result).isEqualTo(new SpamEngine.Result(15.0, List.of("GTUBE"), true));
    }

    @Test
    void aScoredMessageCarriesItsScoreAndSymbolsAndNothingIsForced() throws Exception {
        SpamEngine.Result result = RspamdClient.parseCheckAnswer(http(200, "OK",
            "{\"is_skipped\":false,\"score\":-0.1,\"required_score\":15.0,\"action\":\"no action\",\"symbols\":{"
                + "\"FROM_NO_DN\":{\"name\":\"FROM_NO_DN\",\"score\":0.0},\"MIME_GOOD\":{\"name\":\"MIME_GOOD\",\"score\":-0.1,"
                + "\"options\":[\"text/plain\"]}},\"messages\":{},\"message-id\":\"h1@example.com\",\"time_real\":0.001}"));

        assertThat(result).isEqualTo(new SpamEngine.Result(-0.1, List.of("FROM_NO_DN", "MIME_GOOD"), false));
    }

    @Test
    void aRejectReachedByScoreIsNotForced() throws Exception {
        SpamEngine.Result result = RspamdClient.parseCheckAnswer(http(200, "OK",
            "{\"is_skipped\":false,\"score\":16.5,\"required_score\":15.0,\"action\":\"reject\",\"symbols\":{}}"));

        assertThat(result.forcedReject()).as("our reject threshold decides").isFalse();
        assertThat(result.score()).isEqualTo(16.5);
    }

    @Test
    void anythingButAResultIsAFailure() {
        assertThatThrownBy(() -> RspamdClient.parseCheckAnswer(""))
            .isInstanceOf(SpamEngineException.class).hasMessageContaining("unexpected answer");
        assertThatThrownBy(() -> RspamdClient.parseCheckAnswer(http(500, "Internal Server Error", "{\"error\":\"task timeout\"}")))
            .isInstanceOf(SpamEngineException.class).hasMessageContaining("HTTP 500");
        assertThatThrownBy(() -> RspamdClient.parseCheckAnswer(http(200, "OK", "{\"is_skipped\":false}")))
            .isInstanceOf(SpamEngineException.class).hasMessageContaining("no score or action");
        assertThatThrownBy(() -> RspamdClient.parseCheckAnswer(http(200, "OK", "{\"score\":1.0,")))
            .isInstanceOf(SpamEngineException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> RspamdClient.parseCheckAnswer("SPAMD/1.1 0 EX_OK\r\nSpam: False ; 1.0 / 5.0\r\n\r\n"))
            .as("a spamd on rspamd's port").isInstanceOf(SpamEngineException.class);
    }

    @Test
    void learnAnswers() throws Exception {
        assertThat(RspamdClient.parseLearnAnswer(http(200, "OK", "{\"success\":true}"), true)).isEqualTo(SpamEngine.Learned.LEARNED);
        assertThat(RspamdClient.parseLearnAnswer(http(404, "Not Found",
            "{\"error\":\"<ham2@example.com> has been already learned as ham, ignore it\"}"), false))
            .isEqualTo(SpamEngine.Learned.ALREADY_KNOWN);
        assertThat(RspamdClient.parseLearnAnswer("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", false))
            .isEqualTo(SpamEngine.Learned.NOT_LEARNED);
        assertThatThrownBy(() -> RspamdClient.parseLearnAnswer(http(403, "Forbidden", "{\"error\":\"Unauthorized\"}"), true))
            .isInstanceOf(SpamEngineException.class).hasMessageContaining("HTTP 403");
        assertThatThrownBy(() -> RspamdClient.parseLearnAnswer(http(404, "Not Found",
            "{\"error\":\"<m@example.com> has been already learned as ham, ignore it\"}"), true))
            .as("known as ham, asked to learn spam: not what was asked").isInstanceOf(SpamEngineException.class);
    }
}
