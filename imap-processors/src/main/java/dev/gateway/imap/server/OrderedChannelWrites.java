package dev.gateway.imap.server;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.imap.encode.ImapResponseWriter;
import org.apache.james.imap.message.Literal;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.stream.ChunkedNioFile;
import io.netty.handler.stream.ChunkedStream;

/**
 * One connection's IMAP responses, put on the wire in the order they were written, whatever thread writes them.
 *
 * <p>James 3.8.1 writes straight to the channel. A write made on the channel's event loop goes out at once; one made
 * on another thread (a mailbox read finishing on a Reactor or driver thread) is queued behind the event loop's
 * tasks. When one response is written from both, its parts overtake each other: a FETCH's closing parenthesis and
 * tagged {@code OK} reached the client before the {@code BODY[]} literal they close, and a client that had counted
 * the literal's octets then waited for bytes that had already gone by. Here a write made on the event loop goes out
 * at once only when no write from another thread is still queued; otherwise it queues behind them.
 *
 * <p>One instance per connection; the composer of the command in progress is set before each command.
 */
final class OrderedChannelWrites implements ImapResponseWriter {

    /** Flushes the response composer: a literal must follow what the composer holds before it. */
    interface BeforeLiteral {
        void flush() throws IOException;
    }

    private final Channel channel;
    private final AtomicInteger queued = new AtomicInteger();
    private volatile BeforeLiteral beforeLiteral = () -> { };

    OrderedChannelWrites(Channel channel) {
        this.channel = channel;
    }

    void beforeLiteral(BeforeLiteral flush) {
        this.beforeLiteral = flush;
    }

    @Override
    public void write(byte[] buffer) {
        inOrder(() -> {
            if (channel.isActive()) {
                channel.writeAndFlush(Unpooled.wrappedBuffer(buffer));
            }
        });
    }

    @Override
    public void write(Literal literal) throws IOException {
        beforeLiteral.flush();
        InputStream in = literal.getInputStream();
        // TLS is always on here (STARTTLS or implicit), so the zero-copy file region James uses in clear text never
        // applies: a file is sent in chunks like any stream.
        Object chunks = in instanceof FileInputStream
            ? new ChunkedNioFile(((FileInputStream) in).getChannel(), 8192)
            : new ChunkedStream(in);
        inOrder(() -> {
            if (channel.isActive()) {
                channel.writeAndFlush(chunks);
            } else {
                closeQuietly(in);
            }
        });
    }

    /** Runs the write now when that keeps the order, else queues it on the event loop behind the earlier ones. */
    void inOrder(Runnable write) {
        if (channel.eventLoop().inEventLoop() && queued.get() == 0) {
            write.run();
            return;
        }
        queued.incrementAndGet();
        channel.eventLoop().execute(() -> {
            queued.decrementAndGet();
            write.run();
        });
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // The connection is gone: nothing reads the literal any more.
        }
    }
}
