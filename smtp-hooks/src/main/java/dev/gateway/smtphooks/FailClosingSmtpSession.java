package dev.gateway.smtphooks;

import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;

import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolTransport;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.smtp.SMTPConfiguration;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPRetCode;
import org.apache.james.protocols.smtp.core.DataCmdHandler;
import org.apache.james.protocols.smtp.dsn.DSNStatus;
import org.apache.james.smtpserver.ExtendedSMTPSession;

/**
 * James's SMTP session, whose answer to a failure inside the server (a hook that throws, such as a recipient check
 * reading Cassandra while it is down) is {@code 421 4.3.0} and the end of the connection. James 3.8.1 answers
 * {@code 451 Unable to process request}, without an enhanced status code, and sometimes keeps the connection, sometimes
 * closes it. 421 is the reply that says "service not available, closing" (RFC 5321 4.2.3), 4.3.0 "mail system
 * failure, transient" (RFC 3463), and closing is what a sender expects after it: it keeps the message and retries.
 * Refusals the server decides on (a queue write failed at DATA: {@code 451 4.0.0}) are not failures and keep their
 * answers.
 *
 * <p>It also knows whether the client is sending message data ({@link #inMessageData}): James keeps its line handlers
 * in its channel handler, out of reach, and DATA pushes its own. With that it mends James 3.8.1's STARTTLS command
 * injection check ({@link #needsCommandInjectionDetection}).
 */
public class FailClosingSmtpSession extends ExtendedSMTPSession {
    private static final Response SERVICE_NOT_AVAILABLE = serviceNotAvailable();

    /** For each pushed line handler, whether it reads message data; the top first. */
    private final Deque<Boolean> pushedReadsData = new ConcurrentLinkedDeque<>();

    public FailClosingSmtpSession(SMTPConfiguration configuration, ProtocolTransport transport) {
        super(configuration, transport);
    }

    private static Response serviceNotAvailable() {
        SMTPResponse response = new SMTPResponse(SMTPRetCode.SERVICE_NOT_AVAILABLE,
            DSNStatus.getStatus(DSNStatus.TRANSIENT, DSNStatus.SYSTEM_OTHER)
                + " Service not available, closing transmission channel: please try again later");
        response.setEndSession(true);
        return response.immutable();
    }

    @Override
    public Response newFatalErrorResponse() {
        return SERVICE_NOT_AVAILABLE;
    }

    @Override
    public <T extends ProtocolSession> void pushLineHandler(LineHandler<T> handler) {
        super.pushLineHandler(handler);
        pushedReadsData.push(handler instanceof DataCmdHandler.DataLineFilterWrapper);
    }

    @Override
    public void popLineHandler() {
        super.popLineHandler();
        pushedReadsData.poll();
    }

    /**
     * On from the connection until TLS is up, except while message data is read (text in a message may say anything).
     * James 3.8.1's DATA turns the check off and never on again: where it meant to start it once the command is
     * handled, it calls this getter. After one DATA, even a refused one, a man in the middle could then append
     * commands to STARTTLS (CVE-2011-0411); a check turned off by TLS itself stays off.
     */
    @Override
    public boolean needsCommandInjectionDetection() {
        return super.needsCommandInjectionDetection() || (!isTLSStarted() && !inMessageData());
    }

    /** Whether the lines the client sends now are message data: DATA was accepted and its final dot not yet read. */
    public boolean inMessageData() {
        return Boolean.TRUE.equals(pushedReadsData.peek());
    }
}
