package dev.gateway.sieve;

import java.io.Closeable;

import org.apache.james.managesieve.api.Session;
import org.apache.james.managesieve.transcode.ManageSieveProcessor;
import org.apache.james.managesieve.transcode.NotEnoughDataException;
import org.apache.james.managesieveserver.netty.ChannelManageSieveResponseWriter;
import org.apache.james.managesieveserver.netty.ManageSieveChannelUpstreamHandler;
import org.apache.james.managesieveserver.netty.ManageSieveMDCContext;
import org.apache.james.managesieveserver.netty.ManageSieveServer;
import org.apache.james.managesieveserver.netty.NettyConstants;
import org.apache.james.protocols.netty.Encryption;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;

/**
 * James 3.8.1's ManageSieve listener with STARTTLS that works. James's has two faults there:
 * <ul>
 *   <li>no command is read after STARTTLS (JAMES-4210, fixed after 3.8.1): its STARTTLS decoder looks for the
 *   connection's command-injection state under the channel attribute {@code session}, where ManageSieve never puts
 *   it, so it treats every later read as injected. The state is published under that name here, as James's fix does;</li>
 *   <li>the TLS handler is added only after {@code OK} has been sent, from a thread other than the one reading the
 *   socket, so a client quick to send its ClientHello has it swallowed by the line decoder and the handshake hangs
 *   (SieveIT saw a {@code sieve-connect} hang in its handshake until it gave up). Here the TLS handler is in place
 *   before {@code OK} is written, and lets that one reply out in clear ({@link SslHandler}'s {@code startTls}).</li>
 * </ul>
 */
class StartTlsManageSieveServer extends ManageSieveServer {

    private static final AttributeKey<Object> COMMAND_DETECTION_SESSION = AttributeKey.valueOf("session");
    private static final String SSL_HANDLER = "sslHandler";

    private final ManageSieveProcessor processor;
    private final int maxLineLength;

    StartTlsManageSieveServer(int maxLineLength, ManageSieveProcessor processor) {
        super(maxLineLength, processor);
        this.processor = processor;
        this.maxLineLength = maxLineLength;
    }

    @Override
    protected ChannelInboundHandlerAdapter createCoreHandler() {
        return new StartTlsHandler(processor, getEncryption(), maxLineLength);
    }

    @ChannelHandler.Sharable
    private static final class StartTlsHandler extends ManageSieveChannelUpstreamHandler {

        private final ManageSieveProcessor processor;
        private final Encryption encryption;
        private final int maxLineLength;

        StartTlsHandler(ManageSieveProcessor processor, Encryption encryption, int maxLineLength) {
            super(processor, encryption, maxLineLength);
            this.processor = processor;
            this.encryption = encryption;
            this.maxLineLength = maxLineLength;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            super.channelActive(ctx);
            ctx.channel().attr(COMMAND_DETECTION_SESSION).set(ctx.channel().attr(NettyConstants.RESPONSE_WRITER_ATTRIBUTE_KEY).get());
        }

        /** James's {@code channelRead}, with TLS turned on before the reply to STARTTLS is written rather than after. */
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            ChannelManageSieveResponseWriter writer = ctx.channel().attr(NettyConstants.RESPONSE_WRITER_ATTRIBUTE_KEY).get();
            try (Closeable mdc = ManageSieveMDCContext.from(ctx)) {
                String request = writer.cumulate((String) msg);
                if (request.isEmpty() || request.startsWith("\r\n")) {
                    return;
                }
                if (request.length() > maxLineLength) {
                    throw new TooLongFrameException();
                }
                Session session = ctx.channel().attr(NettyConstants.SESSION_ATTRIBUTE_KEY).get();
                String response = processor.handleRequest(session, request);
                writer.resetCumulation();
                if (session.getState() == Session.State.SSL_NEGOCIATION && encryption != null) {
                    ctx.pipeline().addFirst(SSL_HANDLER, new SslHandler(encryption.sslHandler().engine(), true));
                    session.setSslEnabled(true);
                    session.setState(Session.State.UNAUTHENTICATED);
                    writer.stopDetectingCommandInjection();
                }
                writer.write(response);
            } catch (NotEnoughDataException e) {
                // The rest of a literal is still to come: what came so far stays cumulated.
            }
        }
    }
}
