package dev.gateway.smtphooks;

import java.nio.channels.ClosedChannelException;

import org.apache.james.protocols.api.Protocol;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolSessionImpl;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.netty.Encryption;
import org.apache.james.smtpserver.netty.SMTPChannelInboundHandler;
import org.apache.james.smtpserver.netty.SmtpMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;

/**
 * James's SMTP connection handler, answering a failure that escapes the command dispatcher (a message hook or a
 * connect handler that throws: Cassandra down under a check at the end of DATA, say) with the session's fatal-error
 * reply ({@link FailClosingSmtpSession}: 421 4.3.0, closing) and one WARN line with its cause. James's handler
 * answers the same way but logs the failure at ERROR with its stack trace, once per connection.
 * Over-long lines and connections already gone keep James's handling.
 */
public class FailureAnsweringChannelHandler extends SMTPChannelInboundHandler {
    private static final Logger LOGGER = LoggerFactory.getLogger(FailureAnsweringChannelHandler.class);

    public FailureAnsweringChannelHandler(Protocol protocol, Encryption encryption, boolean proxyRequired,
                                          SmtpMetrics metrics) {
        super(protocol, encryption, proxyRequired, metrics);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        ProtocolSession session = (ProtocolSession) ctx.channel().attr(SESSION_ATTRIBUTE_KEY).get();
        if (cause instanceof TooLongFrameException || cause instanceof ClosedChannelException
                || session == null || !ctx.channel().isActive()) {
            super.exceptionCaught(ctx, cause);
            return;
        }
        Response answer = session.newFatalErrorResponse();
        LOGGER.warn("SMTP connection from {} failed, answered {}: {}", ctx.channel().remoteAddress(),
            FailureCause.firstLine(answer), FailureCause.describe(cause));
        LOGGER.debug("SMTP connection failed", cause);
        ((ProtocolSessionImpl) session).getProtocolTransport().writeResponse(answer, session);
        // Closed whatever the session answered, as James does: the connection is in an unknown state.
        ctx.close();
    }
}
