package dev.gateway.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import org.apache.james.protocols.netty.HandlerConstants;
import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;

/**
 * The decoder against James's line framing, on the same bytes cut into reads at random: cut into lines, the blocks it
 * hands on must be exactly the lines James's decoder gives, with its over-long line errors at the same places, and a
 * block may hold only ordinary body lines. A stand-in for the SMTP handler follows DATA, the header's end and the final
 * dot from the lines it is given, as James's session does.
 */
class DataChunkingLineDecoderTest {
    private static final int MAX_LINE = 8192;
    private static final String OVERLONG = "<overlong line>";

    @Test
    void aBodyOfOrdinaryLinesComesInOneBlock() {
        String body = "line one\r\nline two\r\n\r\nline four\r\n";
        Handled handled = decode(pipeline -> new DataChunkingLineDecoder(pipeline, MAX_LINE, "starttls") {
            @Override
            protected boolean readsMessageBody(ChannelHandlerContext ctx) {
                return true;
            }
        }, List.of(bytes(body + ".\r\nQUIT\r\n")), new Tracker());
        assertThat(handled.frames).containsExactly(body, ".\r\n", "QUIT\r\n");
    }

    @Test
    void framesAsJamesDoesWhateverTheReads() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        for (int script = 0; script < 400; script++) {
            byte[] bytes = script(random);
            List<byte[]> reads = cut(bytes, random);
            Handled james = decode(pipeline -> new LineBasedFrameDecoder(MAX_LINE, false, false), reads, new Tracker());
            Tracker tracker = new Tracker();
            Handled blocks = decode(pipeline -> new DataChunkingLineDecoder(pipeline, MAX_LINE, "starttls") {
                @Override
                protected boolean readsMessageBody(ChannelHandlerContext ctx) {
                    return tracker.inBody();
                }
            }, reads, tracker);
            String context = "seed " + seed + ", script " + script;
            assertThat(blocks.lines).as(context).isEqualTo(james.lines);
            assertThat(blocks.frames.stream().filter(frame -> lines(frame).size() > 1))
                .as(context)
                .allSatisfy(block -> assertThat(lines(block)).allSatisfy(line -> {
                    assertThat(line).endsWith("\r\n").doesNotStartWith(".");
                    assertThat(line.substring(0, line.length() - 2)).doesNotContain("\r").doesNotContain("\n");
                }));
        }
    }

    /** Commands, DATA, a header, a body of lines of every kind, the final dot, and so on, a few times. */
    private static byte[] script(Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int transactions = 1 + random.nextInt(3);
        for (int transaction = 0; transaction < transactions; transaction++) {
            write(out, "MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n");
            int headers = random.nextInt(4);
            for (int header = 0; header < headers; header++) {
                write(out, "X-Header-" + header + ": " + text(random, random.nextInt(60)) + "\r\n");
            }
            if (random.nextInt(10) > 0) {
                write(out, "\r\n");
            }
            int lines = random.nextInt(60);
            for (int line = 0; line < lines; line++) {
                write(out, bodyLine(random));
            }
            write(out, ".\r\n");
        }
        write(out, "QUIT\r\n");
        return out.toByteArray();
    }

    private static String bodyLine(Random random) {
        return switch (random.nextInt(16)) {
            case 0 -> "..stuffed " + text(random, 10) + "\r\n";
            case 1 -> "." + text(random, 5) + "\r\n";
            case 2 -> text(random, 10) + "\n";
            case 3 -> text(random, 10) + "\r" + text(random, 3) + "\r\n";
            case 4 -> "\r\n";
            case 5 -> text(random, MAX_LINE - 1 + random.nextInt(3)) + "\r\n";
            case 6 -> text(random, MAX_LINE + random.nextInt(3)) + "\n";
            case 7 -> text(random, 20_000) + "\r\n";
            case 8 -> text(random, 10) + "\r";
            default -> text(random, random.nextInt(100)) + "\r\n";
        };
    }

    private static String text(Random random, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append((char) (' ' + random.nextInt(95)));
        }
        return text.toString();
    }

    private static List<byte[]> cut(byte[] bytes, Random random) {
        List<byte[]> reads = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            int length = Math.min(bytes.length - at, 1 + random.nextInt(random.nextBoolean() ? 16 : 70_000));
            byte[] read = new byte[length];
            System.arraycopy(bytes, at, read, 0, length);
            reads.add(read);
            at += length;
        }
        return reads;
    }

    private static Handled decode(Function<ChannelPipeline, ChannelHandler> decoder, List<byte[]> reads,
                                  Tracker tracker) {
        Handled handled = new Handled(tracker);
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(HandlerConstants.FRAMER, decoder.apply(channel.pipeline()));
        channel.pipeline().addLast(HandlerConstants.CORE_HANDLER, handled);
        for (byte[] read : reads) {
            channel.writeInbound(Unpooled.wrappedBuffer(read));
        }
        channel.finishAndReleaseAll();
        return handled;
    }

    private static List<String> lines(String frame) {
        List<String> lines = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < frame.length(); i++) {
            if (frame.charAt(i) == '\n') {
                lines.add(frame.substring(from, i + 1));
                from = i + 1;
            }
        }
        if (from < frame.length()) {
            lines.add(frame.substring(from));
        }
        return lines;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void write(ByteArrayOutputStream out, String text) {
        out.writeBytes(bytes(text));
    }

    /** What James's session knows of DATA, learnt from the lines the handler gets. */
    private static final class Tracker {
        private boolean inData;
        private boolean headerComplete;

        boolean inBody() {
            return inData && headerComplete;
        }

        void onLine(String line) {
            if (!inData) {
                if (line.equals("DATA\r\n")) {
                    inData = true;
                    headerComplete = false;
                }
            } else if (line.equals(".\r\n")) {
                inData = false;
            } else if (!headerComplete && line.equals("\r\n")) {
                headerComplete = true;
            }
        }
    }

    /** The stand-in for James's SMTP handler: records frames, their lines and over-long line errors, in order. */
    private static final class Handled extends ChannelInboundHandlerAdapter {
        private final Tracker tracker;
        final List<String> frames = new ArrayList<>();
        final List<String> lines = new ArrayList<>();

        Handled(Tracker tracker) {
            this.tracker = tracker;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            ByteBuf frame = (ByteBuf) message;
            String text = frame.toString(StandardCharsets.ISO_8859_1);
            frame.release();
            frames.add(text);
            for (String line : lines(text)) {
                lines.add(line);
                tracker.onLine(line);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            lines.add(OVERLONG + cause.getClass().getSimpleName());
        }
    }
}
