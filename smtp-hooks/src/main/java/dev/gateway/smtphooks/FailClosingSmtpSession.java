package dev.gateway.smtphooks;

import org.apache.james.protocols.api.ProtocolTransport;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.SMTPConfiguration;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPRetCode;
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
 */
public class FailClosingSmtpSession extends ExtendedSMTPSession {
    private static final Response SERVICE_NOT_AVAILABLE = serviceNotAvailable();

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
}
