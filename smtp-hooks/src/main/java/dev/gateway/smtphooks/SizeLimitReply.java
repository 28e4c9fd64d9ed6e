package dev.gateway.smtphooks;

import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.DataLineFilter;

/**
 * Gives the end-of-DATA refusal of an oversized message its enhanced status code. James refuses a message that
 * outgrows {@code <maxmessagesize>} with a bare {@code 552 Quota exceeded}, although it announces
 * ENHANCEDSTATUSCODES and answers an oversized {@code MAIL FROM ... SIZE=} with {@code 552 5.3.4}; clients and
 * their users should see the same reason both ways (RFC 3463: 5.3.4, message too big for system).
 *
 * <pre>{@code
 * <handler class="dev.gateway.smtphooks.SizeLimitReply"/>   <!-- before CoreCmdHandlerLoader -->
 * }</pre>
 */
public class SizeLimitReply implements DataLineFilter {

    static final Response MESSAGE_TOO_BIG = new SMTPResponse("552",
        "5.3.4 Message size exceeds fixed maximum message size").immutable();

    @Override
    public Response onLine(SMTPSession session, byte[] line, LineHandler<SMTPSession> next) {
        Response response = next.onLine(session, line);
        if (response != null && "552".equals(response.getRetCode())
                && response.getLines().stream().anyMatch(text -> text.toString().endsWith("Quota exceeded"))) {
            return MESSAGE_TOO_BIG;
        }
        return response;
    }
}
