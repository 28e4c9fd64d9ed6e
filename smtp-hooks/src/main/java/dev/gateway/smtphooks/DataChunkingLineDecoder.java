package dev.gateway.smtphooks;

import org.apache.james.protocols.netty.AllButStartTlsLineBasedChannelHandler;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.util.ByteProcessor;

/**
 * James's SMTP line decoder, which hands the body of a message to DATA's line filters in blocks of whole lines rather
 * than line by line. A 100 KB message is some 1,400 lines, and each line was a trip through the pipeline, a copy and
 * five filters; a block of them makes that trip once.
 *
 * <p>Only <em>ordinary</em> body lines are put together: lines read after the header's blank line, while DATA's
 * filters are on top ({@link FailClosingSmtpSession#inMessageData}), each ending in CRLF with no other CR or LF, no
 * longer than James's line limit, and not starting with a dot. Every other line, the final dot, a dot-stuffed line,
 * a bare CR or LF, an over-long line, a header line or a command, is framed by James's decoder exactly as before,
 * one line at a time. The filters treat a block of ordinary lines as they treat its lines one after the other:
 * {@link RequireCrlfInData} finds no bare line break in it, {@link SizeLimitReply} passes it on, James's size check
 * adds its length (a message that outgrows the limit is refused at the dot either way, its data dropped), the
 * Received filter passes body lines on, and the message writer appends it. {@link FrontDoorSmtpServer} uses this
 * decoder only while DATA's filters are exactly those.
 *
 * <p>The decoder reads the session's state between frames, so it must run on the thread that handles each frame
 * before the next is decoded: the channel's event loop, where {@link FrontDoorSmtpServer} puts it.
 */
public class DataChunkingLineDecoder extends AllButStartTlsLineBasedChannelHandler {
    /** The most bytes of body lines handed on at once. */
    static final int MAX_BLOCK = 64 * 1024;

    private final int maxLineLength;
    /**
     * James's decoder is dropping an over-long line: it has to see every byte until the line ends, since it keeps how
     * far it got to itself.
     */
    private boolean jamesDropsALine;

    public DataChunkingLineDecoder(ChannelPipeline pipeline, int maxLineLength, String startTlsCommand) {
        super(pipeline, maxLineLength, false, startTlsCommand);
        this.maxLineLength = maxLineLength;
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf buffer) throws Exception {
        if (jamesDropsALine) {
            jamesDropsALine = buffer.forEachByte(ByteProcessor.FIND_LF) < 0;
            return super.decode(ctx, buffer);
        }
        if (!readsMessageBody(ctx)) {
            return super.decode(ctx, buffer);
        }
        int start = buffer.readerIndex();
        int end = start;
        int limit = buffer.writerIndex();
        int lineFeed = buffer.forEachByte(start, limit - start, ByteProcessor.FIND_LF);
        while (lineFeed >= 0 && end - start < MAX_BLOCK && isOrdinaryLine(buffer, end, lineFeed, maxLineLength)) {
            end = lineFeed + 1;
            lineFeed = buffer.forEachByte(end, limit - end, ByteProcessor.FIND_LF);
        }
        if (end > start) {
            return buffer.readRetainedSlice(end - start);
        }
        if (lineFeed >= 0) {
            // A whole line that is not ordinary: James's decoder frames it (its offset is 0, as after any frame).
            return super.decode(ctx, buffer);
        }
        if (buffer.readableBytes() > maxLineLength) {
            // Too long already: James's decoder drops it and says so once the line ends, as for any line.
            jamesDropsALine = true;
            return super.decode(ctx, buffer);
        }
        return null;
    }

    /**
     * Ordinary: ends in CRLF, holds no other CR, is not longer than the line limit without its CRLF (as James
     * counts it), and does not start with a dot (the final dot and dot-stuffing are handled line by line).
     */
    static boolean isOrdinaryLine(ByteBuf buffer, int from, int lineFeed, int maxLineLength) {
        int carriageReturn = lineFeed - 1;
        if (carriageReturn < from || carriageReturn - from > maxLineLength
                || buffer.getByte(carriageReturn) != '\r' || buffer.getByte(from) == '.') {
            return false;
        }
        return buffer.forEachByte(from, carriageReturn - from, ByteProcessor.FIND_CR) < 0;
    }

    /** Whether the next line is a line of a message's body: DATA's filters on top, the header read. */
    protected boolean readsMessageBody(ChannelHandlerContext ctx) {
        return retrieveSession(ctx) instanceof FailClosingSmtpSession smtp
            && smtp.inMessageData()
            && smtp.headerComplete()
            && !smtp.needsCommandInjectionDetection();
    }
}
