package dev.gateway.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

class SpamdClientTest {

    @Test
    void parsesAResultWithItsRules() throws Exception {
        SpamdClient.Result result = SpamdClient.parseSymbolsAnswer(
            "SPAMD/1.1 0 EX_OK\r\nContent-length: 26\r\nSpam: True ; 1000.0 / 5.0\r\n\r\nGTUBE,MSGID_SHORT,NO_RELAYS");

        assertThat(result).isEqualTo(new SpamdClient.Result(true, 1000.0, 5.0, java.util.List.of("GTUBE", "MSGID_SHORT", "NO_RELAYS")));
    }

    @Test
    void parsesANegativeScoreWithoutRules() throws Exception {
        SpamdClient.Result result = SpamdClient.parseSymbolsAnswer("SPAMD/1.1 0 EX_OK\r\nSpam: False ; -0.1 / 5.0\r\n\r\n");

        assertThat(result.spam()).isFalse();
        assertThat(result.score()).isEqualTo(-0.1);
        assertThat(result.symbols()).isEmpty();
    }

    @Test
    void anErrorStatusOrAGarbledAnswerIsAFailureNotACleanMessage() {
        assertThatThrownBy(() -> SpamdClient.parseSymbolsAnswer("SPAMD/1.0 76 Bad header line: (EOF)\r\n"))
            .isInstanceOf(SpamdClient.SpamdException.class).hasMessageContaining("76");
        assertThatThrownBy(() -> SpamdClient.parseSymbolsAnswer("HTTP/1.1 400 Bad Request\r\n\r\n"))
            .isInstanceOf(SpamdClient.SpamdException.class);
        assertThatThrownBy(() -> SpamdClient.parseSymbolsAnswer(""))
            .isInstanceOf(SpamdClient.SpamdException.class);
        assertThatThrownBy(() -> SpamdClient.parseSymbolsAnswer("SPAMD/1.1 0 EX_OK\r\nContent-length: 0\r\n\r\n"))
            .isInstanceOf(SpamdClient.SpamdException.class);
    }

    @Test
    void sendsSymbolsWithContentLengthAndTheMessage() throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            CompletableFuture<String> request = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = server.accept(); InputStream in = socket.getInputStream()) {
                    String received = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
                    socket.getOutputStream().write("SPAMD/1.1 0 EX_OK\r\nSpam: False ; 1.5 / 5.0\r\n\r\nA,B\r\n".getBytes(StandardCharsets.US_ASCII));
                    return received;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            SpamdClient client = new SpamdClient("127.0.0.1", server.getLocalPort(), Duration.ofSeconds(2), Duration.ofSeconds(5));

            SpamdClient.Result result = client.check("Subject: x\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII), null);

            assertThat(result.score()).isEqualTo(1.5);
            assertThat(result.symbols()).containsExactly("A", "B");
            assertThat(request.get()).isEqualTo("SYMBOLS SPAMC/1.5\r\nContent-length: 21\r\n\r\nSubject: x\r\n\r\nhello\r\n");
        }
    }

    @Test
    void aSpamdThatNeverAnswersTimesOutWithinTheReadTimeout() throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            CompletableFuture.runAsync(() -> {
                try (Socket socket = server.accept()) {
                    socket.getInputStream().transferTo(new ByteArrayOutputStream());
                    Thread.sleep(5_000);
                } catch (Exception ignored) {
                    // the client hung up
                }
            });
            SpamdClient client = new SpamdClient("127.0.0.1", server.getLocalPort(), Duration.ofSeconds(2), Duration.ofMillis(300));
            long start = System.nanoTime();

            assertThatThrownBy(() -> client.check("Subject: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII), null))
                .isInstanceOfSatisfying(SpamdClient.SpamdException.class, e -> assertThat(e.isTimeout()).isTrue());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(250), Duration.ofMillis(2_000));
        }
    }

    @Test
    void nothingListeningIsAFailure() throws Exception {
        int port;
        try (ServerSocket server = new ServerSocket(0)) {
            port = server.getLocalPort();
        }
        SpamdClient client = new SpamdClient("127.0.0.1", port, Duration.ofSeconds(1), Duration.ofSeconds(1));

        assertThatThrownBy(() -> client.check(new byte[0], null)).isInstanceOf(SpamdClient.SpamdException.class);
        assertThat(client.ping()).isFalse();
    }
}
