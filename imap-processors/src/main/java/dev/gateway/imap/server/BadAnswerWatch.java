package dev.gateway.imap.server;

import org.apache.james.imap.api.message.response.ImapResponseMessage;
import org.apache.james.imap.api.message.response.StatusResponse;
import org.apache.james.imap.api.process.ImapProcessor.Responder;

/**
 * Passes one command's responses on and notes whether one of them was a {@code BAD}: the command was malformed
 * (a syntax error, nesting beyond the bounds, an unknown command, a literal refused as too large). Whether the
 * decoder refused the command or the processor did, the refusal reaches the client through here, so this is the one
 * place that sees them all.
 */
final class BadAnswerWatch implements Responder {

    private final Responder responses;
    private boolean answeredBad;

    BadAnswerWatch(Responder responses) {
        this.responses = responses;
    }

    @Override
    public void respond(ImapResponseMessage message) {
        if (message instanceof StatusResponse status && status.getServerResponseType() == StatusResponse.Type.BAD) {
            answeredBad = true;
        }
        responses.respond(message);
    }

    @Override
    public void flush() {
        responses.flush();
    }

    /** Read on the event loop once the command has completed, after every response of it was given. */
    boolean answeredBad() {
        return answeredBad;
    }
}
