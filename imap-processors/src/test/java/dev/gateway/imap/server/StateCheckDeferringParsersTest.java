package dev.gateway.imap.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.apache.james.imap.api.ImapMessage;
import org.apache.james.imap.api.ImapSessionState;
import org.apache.james.imap.api.message.response.StatusResponse;
import org.apache.james.imap.decode.ImapCommandParserFactory;
import org.apache.james.imap.decode.ImapDecoder;
import org.apache.james.imap.decode.ImapRequestStreamLineReader;
import org.apache.james.imap.decode.main.DefaultImapDecoder;
import org.apache.james.imap.decode.parser.ImapParserFactory;
import org.apache.james.imap.encode.FakeImapSession;
import org.apache.james.imap.message.request.CreateRequest;
import org.apache.james.imap.message.request.FetchRequest;
import org.apache.james.imap.message.request.LoginRequest;
import org.apache.james.imap.message.response.UnpooledStatusResponseFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.gateway.imap.PipelinedCreateCommandParser;

class StateCheckDeferringParsersTest {

    private final UnpooledStatusResponseFactory responses = new UnpooledStatusResponseFactory();
    private final ImapParserFactory jamesParsers = new ImapParserFactory(responses);
    private final ImapCommandParserFactory gatewayParsers = name -> name.equalsIgnoreCase("CREATE")
        ? new PipelinedCreateCommandParser(responses) : jamesParsers.getParser(name);
    private final ImapDecoder deferring = new DefaultImapDecoder(responses, new StateCheckDeferringParsers(gatewayParsers, responses));
    private final FakeImapSession session = new FakeImapSession();

    @BeforeEach
    void loggedIn() {
        session.authenticated();
    }

    @Test
    void jamesAloneRefusesAFetchReadWhileTheSelectBeforeItIsStillRunning() {
        // The fault this class exists for: the FETCH is judged in the state the session was in when it was read.
        ImapMessage decoded = new DefaultImapDecoder(responses, jamesParsers).decode(line("p1 FETCH 1 (FLAGS)"), session);

        assertThat(decoded).isInstanceOfSatisfying(StatusResponse.class, response ->
            assertThat(response.getServerResponseType()).isEqualTo(StatusResponse.Type.NO));
    }

    @Test
    void aFetchReadBeforeTheSessionIsSelectedRunsOnceItIs() {
        ImapMessage decoded = deferring.decode(line("p1 FETCH 1 (FLAGS)"), session);

        assertThat(decoded).isInstanceOf(StateCheckedCommand.class);
        ImapMessage started = ((StateCheckedCommand) decoded).inState(ImapSessionState.SELECTED);
        assertThat(started).isInstanceOfSatisfying(FetchRequest.class, fetch ->
            assertThat(fetch.getTag().asString()).isEqualTo("p1"));
    }

    @Test
    void aFetchStartedWhileTheSessionIsNotSelectedIsRefusedNoAsJamesWould() {
        StateCheckedCommand decoded = (StateCheckedCommand) deferring.decode(line("p1 FETCH 1 (FLAGS)"), session);

        ImapMessage started = decoded.inState(ImapSessionState.AUTHENTICATED);

        assertThat(started).isInstanceOfSatisfying(StatusResponse.class, response -> {
            assertThat(response.getServerResponseType()).isEqualTo(StatusResponse.Type.NO);
            assertThat(response.getTag().asString()).isEqualTo("p1");
            assertThat(response.getCommand().getName()).isEqualTo("FETCH");
        });
    }

    @Test
    void aLoginPipelinedAfterASuccessfulLoginIsRefusedWhenItStarts() {
        FakeImapSession fresh = new FakeImapSession();
        StateCheckedCommand decoded = (StateCheckedCommand) deferring.decode(line("a2 LOGIN user secret"), fresh);

        assertThat(decoded.inState(ImapSessionState.NON_AUTHENTICATED)).isInstanceOf(LoginRequest.class);
        assertThat(decoded.inState(ImapSessionState.AUTHENTICATED)).isInstanceOfSatisfying(StatusResponse.class, response ->
            assertThat(response.getServerResponseType()).isEqualTo(StatusResponse.Type.NO));
    }

    @Test
    void aCommandThatDoesNotParseStillGetsItsBadOnceValidInTheState() {
        StateCheckedCommand decoded = (StateCheckedCommand) deferring.decode(line("p3 FETCH one (FLAGS)"), session);

        assertThat(decoded.inState(ImapSessionState.SELECTED)).isInstanceOfSatisfying(StatusResponse.class, response ->
            assertThat(response.getServerResponseType()).isEqualTo(StatusResponse.Type.BAD));
    }

    @Test
    void aCreatePipelinedBehindTheLoginIsParsedBeforeTheSessionHasAMailboxSession() {
        FakeImapSession fresh = new FakeImapSession();
        StateCheckedCommand decoded = (StateCheckedCommand) deferring.decode(line("c1 CREATE Archive."), fresh);

        assertThat(decoded.inState(ImapSessionState.AUTHENTICATED)).isInstanceOfSatisfying(CreateRequest.class, create ->
            assertThat(create.getMailboxName()).isEqualTo("Archive"));
    }

    private static ImapRequestStreamLineReader line(String command) {
        return new ImapRequestStreamLineReader(
            new ByteArrayInputStream((command + "\r\n").getBytes(StandardCharsets.US_ASCII)), new ByteArrayOutputStream());
    }
}
