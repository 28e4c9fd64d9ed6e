package dev.gateway.imap.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.apache.james.imap.message.Literal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.handler.stream.ChunkedWriteHandler;

/**
 * Real Netty channels (in-VM transport, real event loops): what the peer receives when one response is written
 * partly from another thread and partly from the connection's event loop.
 */
class OrderedChannelWritesTest {

    private final EventLoopGroup loops = new DefaultEventLoopGroup(1);
    private final ExecutorService mailboxThread = Executors.newSingleThreadExecutor();
    private final StringBuffer received = new StringBuffer();
    private Channel serverSide;
    private Channel clientSide;

    @BeforeEach
    void connect() throws Exception {
        LocalAddress address = new LocalAddress("ordered-writes-" + System.nanoTime());
        CountDownLatch accepted = new CountDownLatch(1);
        Channel[] accepting = new Channel[1];
        new ServerBootstrap().group(loops).channel(LocalServerChannel.class)
            .childHandler(new ChannelInitializer<LocalChannel>() {
                @Override
                protected void initChannel(LocalChannel channel) {
                    channel.pipeline().addLast(new ChunkedWriteHandler());
                    accepting[0] = channel;
                    accepted.countDown();
                }
            })
            .bind(address).sync();
        clientSide = new Bootstrap().group(loops).channel(LocalChannel.class)
            .handler(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ByteBuf bytes = (ByteBuf) msg;
                    received.append(bytes.toString(StandardCharsets.US_ASCII));
                    bytes.release();
                }
            })
            .connect(address).sync().channel();
        assertThat(accepted.await(10, TimeUnit.SECONDS)).isTrue();
        serverSide = accepting[0];
    }

    @AfterEach
    void close() throws Exception {
        mailboxThread.shutdownNow();
        clientSide.close().sync();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void aWriteOnTheEventLoopWaitsForTheWritesQueuedBeforeItFromAnotherThread() throws Exception {
        OrderedChannelWrites writes = new OrderedChannelWrites(serverSide);
        CountDownLatch offLoopWritten = new CountDownLatch(1);
        // The event loop is busy while another thread writes the start of a response: that write is queued behind.
        serverSide.eventLoop().execute(() -> {
            awaitQuietly(offLoopWritten);
            writes.write(bytes(")\r\na1 OK FETCH completed.\r\n"));
        });
        mailboxThread.submit(() -> {
            writes.write(bytes("* 1 FETCH (BODY[] {5}\r\n"));
            offLoopWritten.countDown();
            return null;
        }).get(10, TimeUnit.SECONDS);

        awaitReceived("* 1 FETCH (BODY[] {5}\r\n", "a1 OK FETCH completed.\r\n");
        assertThat(received.toString()).isEqualTo("* 1 FETCH (BODY[] {5}\r\n)\r\na1 OK FETCH completed.\r\n");
    }

    @Test
    void aLiteralGoesOutAfterWhatTheComposerHeldAndBeforeWhatFollows() throws Exception {
        OrderedChannelWrites writes = new OrderedChannelWrites(serverSide);
        StringBuilder composer = new StringBuilder("* 1 FETCH (BODY[] {5}\r\n");
        writes.beforeLiteral(() -> {
            writes.write(bytes(composer.toString()));
            composer.setLength(0);
        });
        mailboxThread.submit(() -> {
            writes.write(literal("hello"));
            return null;
        }).get(10, TimeUnit.SECONDS);
        serverSide.eventLoop().submit(() -> writes.write(bytes(")\r\na1 OK FETCH completed.\r\n"))).get(10, TimeUnit.SECONDS);

        awaitReceived("* 1 FETCH", "hello", "a1 OK FETCH completed.\r\n");
        assertThat(received.toString()).isEqualTo("* 1 FETCH (BODY[] {5}\r\nhello)\r\na1 OK FETCH completed.\r\n");
    }

    @Test
    void withNothingQueuedAWriteOnTheEventLoopGoesOutAtOnce() throws Exception {
        OrderedChannelWrites writes = new OrderedChannelWrites(serverSide);
        // STARTTLS relies on this: its OK must be on the wire before the TLS handler joins the pipeline, in the same task.
        boolean[] writtenBeforeTaskEnded = new boolean[1];
        serverSide.eventLoop().submit(() -> {
            writes.write(bytes("a1 OK Begin TLS negotiation now.\r\n"));
            writtenBeforeTaskEnded[0] = serverSide.unsafe().outboundBuffer() == null
                || serverSide.unsafe().outboundBuffer().totalPendingWriteBytes() == 0;
        }).get(10, TimeUnit.SECONDS);
        assertThat(writtenBeforeTaskEnded[0]).isTrue();
        awaitReceived("a1 OK Begin TLS negotiation now.\r\n");
    }

    /** Waits until every part arrived, in whatever order: the assertion after it says whether the order was right. */
    private void awaitReceived(String... parts) {
        await().atMost(Duration.ofSeconds(10)).until(() -> Arrays.stream(parts).allMatch(received.toString()::contains));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static Literal literal(String text) {
        byte[] content = bytes(text);
        return new Literal() {
            @Override
            public long size() {
                return content.length;
            }

            @Override
            public InputStream getInputStream() {
                return new ByteArrayInputStream(content);
            }
        };
    }
}
