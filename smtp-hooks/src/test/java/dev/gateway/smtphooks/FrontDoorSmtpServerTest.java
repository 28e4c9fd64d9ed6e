package dev.gateway.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.james.protocols.netty.ChannelHandlerFactory;
import org.apache.james.protocols.netty.HandlerConstants;
import org.junit.jupiter.api.Test;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;

/** The listener's pipeline on a real loopback socket: its line decoder runs on the connection's event loop. */
class FrontDoorSmtpServerTest {

    @Test
    void linesAreDecodedOnTheConnectionsOwnEventLoop() throws Exception {
        EventExecutorGroup jamesDecoderExecutors = new DefaultEventExecutorGroup(1);
        NioEventLoopGroup loop = new NioEventLoopGroup(1);
        CompletableFuture<String> line = new CompletableFuture<>();
        CompletableFuture<Boolean> decodedOnTheLoop = new CompletableFuture<>();
        FrontDoorSmtpServer server = new FrontDoorSmtpServer(null, null) {
            @Override
            protected EventExecutorGroup getExecutorGroup() {
                // What James's configuration gives the decoder; the listener must not use it.
                return jamesDecoderExecutors;
            }

            @Override
            protected ChannelHandlerFactory getFrameHandlerFactory() {
                return createFrameHandlerFactory();
            }

            @Override
            protected ChannelInboundHandlerAdapter createCoreHandler() {
                return new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object message) {
                        ByteBuf bytes = (ByteBuf) message;
                        decodedOnTheLoop.complete(
                            ctx.pipeline().context(HandlerConstants.FRAMER).executor() == ctx.channel().eventLoop());
                        line.complete(bytes.toString(StandardCharsets.US_ASCII));
                        bytes.release();
                    }
                };
            }
        };
        try {
            Channel listener = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                .childHandler(server.createPipelineFactory())
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(),
                ((InetSocketAddress) listener.localAddress()).getPort())) {
                OutputStream out = client.getOutputStream();
                out.write("NOOP\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(line.get(10, TimeUnit.SECONDS)).isEqualTo("NOOP\r\n");
                assertThat(decodedOnTheLoop.get(10, TimeUnit.SECONDS)).isTrue();
            } finally {
                listener.close().sync();
            }
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            jamesDecoderExecutors.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
