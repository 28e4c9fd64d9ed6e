package dev.gateway.smtphooks;

import java.nio.charset.StandardCharsets;

import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.netty.BasicChannelInboundHandler;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;

/**
 * Postscreen's pipelining test after the greeting: a client that has not been offered PIPELINING (it said HELO, or
 * nothing yet; EHLO offers it) and sends more bytes after a complete command line in one read, that is without
 * waiting for the reply to that line, gets {@code 554 5.5.1} and is disconnected. James hands hooks one line at a
 * time, so this sits ahead of its line decoder, on the raw bytes of one connection ({@link FrontDoorSmtpServer} puts
 * it there on the MX listeners when {@code <refuseUnofferedPipelining>} is true).
 *
 * <p>Not looked at: anything before the greeting ({@link GreetAfterDelay}'s test), message content (from the
 * {@code 354} reply to the next reply), clients after EHLO, trusted networks and authenticated clients. A client that pipelines across two reads is not caught: only bytes
 * after a line end within one read prove that the client did not wait.</p>
 */
final class RefuseUnofferedPipelining extends ChannelDuplexHandler {
    static final String NAME = "gatewayRefuseUnofferedPipelining";

    private final FrontDoorRefusals refusals;
    private boolean greeted;
    private boolean inData;
    private boolean refused;

    RefuseUnofferedPipelining(FrontDoorRefusals refusals) {
        this.refusals = refusals;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object message, ChannelPromise promise) throws Exception {
        // The replies are read here, not the session's state: James 3.8.1 keeps no sign of DATA in the session.
        // The first reply is the greeting (or GreetAfterDelay's refusal of an early talker); after a 354 the client
        // sends message content until the next reply. Connect handlers with nothing to say write empty buffers.
        if (message instanceof ByteBuf reply && reply.readableBytes() > 0) {
            greeted = true;
            inData = reply.readableBytes() >= 3 && reply.toString(reply.readerIndex(), 3, StandardCharsets.US_ASCII)
                .equals("354");
        }
        super.write(ctx, message, promise);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) throws Exception {
        if (refused) {
            ReferenceCountUtil.release(message);
            return;
        }
        if (message instanceof ByteBuf bytes && greeted && !inData && moreAfterALineEnd(bytes)) {
            SMTPSession session = (SMTPSession) ctx.channel().attr(BasicChannelInboundHandler.SESSION_ATTRIBUTE_KEY).get();
            if (session != null && watched(session)) {
                refused = true;
                ReferenceCountUtil.release(message);
                HookResult refusal = refusals.refuse(session, "early_talker", "554",
                    "5.5.1 Protocol error: pipelining without PIPELINING",
                    "sent a command before the reply to the previous one, PIPELINING not offered");
                ctx.writeAndFlush(Unpooled.copiedBuffer(refusal.getSmtpRetCode() + " " + refusal.getSmtpDescription()
                    + "\r\n", StandardCharsets.US_ASCII)).addListener(ChannelFutureListener.CLOSE);
                return;
            }
        }
        super.channelRead(ctx, message);
    }

    private static boolean watched(SMTPSession session) {
        return !session.isRelayingAllowed()
            && session.getUsername() == null
            && !"EHLO".equals(session.getAttachment(SMTPSession.CURRENT_HELO_MODE, ProtocolSession.State.Connection)
                .orElse(null));
    }

    /** Whether a line ends in these bytes with more bytes after it. */
    static boolean moreAfterALineEnd(ByteBuf bytes) {
        int lineEnd = bytes.indexOf(bytes.readerIndex(), bytes.writerIndex(), (byte) '\n');
        return lineEnd >= 0 && lineEnd < bytes.writerIndex() - 1;
    }
}
