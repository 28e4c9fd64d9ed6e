package dev.gateway.smtphooks;

import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.DataLineFilter;
import org.apache.james.smtpserver.ExtendedSMTPSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a message whose data holds a bare CR or a bare LF: every line of DATA must end with CRLF and hold no
 * other CR or LF. This closes SMTP smuggling (SEC Consult, December 2023) on both sides: a downstream server that
 * takes {@code <CR>.<CR>} or {@code <LF>.<LF>} for the end of data could otherwise be handed a second, forged
 * message hidden inside one we accepted.
 *
 * <p>James 3.8.1 refuses bare LF itself ({@code 500 5.0.0 line delimiter must be CRLF}) but keeps a bare CR
 * inside a line, so {@code <CR>.<CR>MAIL FROM...} would be stored and relayed as message text. This filter runs
 * before James's and refuses both the same way, as sendmail 8.18 and Postfix's {@code smtpd_forbid_bare_newline}
 * do: the transaction is dropped (nothing is queued) and the connection closed, because after a broken line
 * delimiter nothing the client sends can be trusted to be framed as it meant.
 *
 * <pre>{@code
 * <handler class="dev.gateway.smtphooks.RequireCrlfInData"/>   <!-- before CoreCmdHandlerLoader -->
 * }</pre>
 *
 * Reply: {@code 500 5.5.2 Bare CR or LF in message data: lines must end with CRLF}, then the connection closes.
 */
public class RequireCrlfInData implements DataLineFilter {

    private static final Logger LOGGER = LoggerFactory.getLogger(RequireCrlfInData.class);

    @Override
    public Response onLine(SMTPSession session, byte[] line, LineHandler<SMTPSession> next) {
        if (hasBareLineBreak(line)) {
            LOGGER.info("Refused message data with a bare CR or LF from {} (possible SMTP smuggling)",
                session.getRemoteAddress().getAddress().getHostAddress());
            return refuse(session);
        }
        return next.onLine(session, line);
    }

    /**
     * True unless the data ends with CRLF and every other CR or LF in it is part of a CRLF. The line splitter cuts at
     * every LF, so a bare LF shows as a line without the CR before its last byte; a bare CR is anywhere else in the
     * line. {@link DataChunkingLineDecoder} hands on blocks of whole lines, each ending in CRLF.
     */
    static boolean hasBareLineBreak(byte[] data) {
        int length = data.length;
        if (length < 2 || data[length - 2] != '\r' || data[length - 1] != '\n') {
            return true;
        }
        for (int i = 0; i < length; i++) {
            if (data[i] == '\n') {
                return true;
            }
            if (data[i] == '\r') {
                if (data[i + 1] != '\n') {
                    return true;
                }
                i++;
            }
        }
        return false;
    }

    private static Response refuse(SMTPSession session) {
        // The message being written must not survive the transaction, nor keep its temporary file.
        if (session instanceof ExtendedSMTPSession extended) {
            LifecycleUtil.dispose(extended.getMimeMessageWriter());
        }
        session.popLineHandler();
        SMTPResponse response = new SMTPResponse("500", "5.5.2 Bare CR or LF in message data: lines must end with CRLF");
        response.setEndSession(true);
        return response;
    }
}
