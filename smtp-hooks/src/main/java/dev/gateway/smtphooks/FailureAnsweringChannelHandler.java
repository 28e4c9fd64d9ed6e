package dev.gateway.smtphooks;

import java.nio.channels.ClosedChannelException;

import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.protocols.api.Protocol;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolSessionImpl;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.netty.CommandInjectionDetectedException;
import org.apache.james.protocols.netty.Encryption;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPRetCode;
import org.apache.james.protocols.smtp.dsn.DSNStatus;
import org.apache.james.smtpserver.netty.SMTPChannelInboundHandler;
import org.apache.james.smtpserver.netty.SmtpMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.base.Throwables;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;

/**
 * James's SMTP connection handler, answering a failure that escapes the command dispatcher (a message hook or a
 * connect handler that throws: Cassandra down under a check at the end of DATA, say) with the session's fatal-error
 * reply ({@link FailClosingSmtpSession}: 421 4.3.0, closing) and one WARN line with its cause. James's handler
 * answers the same way but logs the failure at ERROR with its stack trace, once per connection.
 * Over-long command lines and connections already gone keep James's handling. Commands injected behind STARTTLS get an
 * answer of their own: {@code 421 4.7.0}, closing. An over-long line of message data refuses the message and closes
 * ({@code 500 5.5.2}): James drops the line, answers {@code 500 Line length exceeded} in the middle of the data, and
 * takes the rest, so the message was stored without that line, and a line cut at a bare LF let {@code <LF>.<CR><LF>}
 * end the message and smuggle the commands after it.
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
        if (cause instanceof TooLongFrameException && session instanceof FailClosingSmtpSession smtp
                && smtp.inMessageData() && ctx.channel().isActive()) {
            refuseOverlongDataLine(ctx, smtp);
            return;
        }
        if (cause instanceof TooLongFrameException || cause instanceof ClosedChannelException
                || session == null || !ctx.channel().isActive()) {
            super.exceptionCaught(ctx, cause);
            return;
        }
        if (Throwables.getCausalChain(cause).stream().anyMatch(CommandInjectionDetectedException.class::isInstance)) {
            refuseInjection(ctx, session);
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

    /**
     * A line of message data longer than the line framer takes. The message is refused whole, its data discarded, and
     * the connection closed: after a line the server could not frame, where the client meant the next one to start is
     * unknown, as after a bare line break ({@link RequireCrlfInData}, same reply code).
     */
    private static void refuseOverlongDataLine(ChannelHandlerContext ctx, FailClosingSmtpSession session) {
        LifecycleUtil.dispose(session.getMimeMessageWriter());
        SMTPResponse answer = new SMTPResponse(SMTPRetCode.SYNTAX_ERROR_COMMAND_UNRECOGNIZED,
            DSNStatus.getStatus(DSNStatus.PERMANENT, DSNStatus.DELIVERY_SYNTAX)
                + " Line too long in message data: message refused, closing connection");
        answer.setEndSession(true);
        LOGGER.info("Refused a message from {}: a line of its data was longer than the server reads, answered {}",
            ctx.channel().remoteAddress(), FailureCause.firstLine(answer));
        session.getProtocolTransport().writeResponse(answer, session);
        ctx.close();
    }

    /**
     * Commands sent in clear text behind STARTTLS, in the same packet (CVE-2011-0411: a man in the middle adds them
     * so that they run once TLS is up). They must never run; the connection is closed, as James does, with a reply
     * that says why rather than the generic failure's "service not available" (421 is the reply that closes; its
     * enhanced code names a security matter).
     */
    private static void refuseInjection(ChannelHandlerContext ctx, ProtocolSession session) {
        SMTPResponse answer = new SMTPResponse(SMTPRetCode.SERVICE_NOT_AVAILABLE,
            DSNStatus.getStatus(DSNStatus.TRANSIENT, DSNStatus.SECURITY_OTHER)
                + " Commands sent with STARTTLS before the TLS handshake are refused, closing connection");
        answer.setEndSession(true);
        LOGGER.warn("SMTP connection from {}: commands pipelined with STARTTLS in clear text (command injection), "
            + "answered {}", ctx.channel().remoteAddress(), FailureCause.firstLine(answer));
        ((ProtocolSessionImpl) session).getProtocolTransport().writeResponse(answer, session);
        ctx.close();
    }
}
