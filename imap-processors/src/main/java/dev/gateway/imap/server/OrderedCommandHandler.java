package dev.gateway.imap.server;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Optional;

import org.apache.james.core.Username;
import org.apache.james.imap.api.ImapMessage;
import org.apache.james.imap.api.ImapSessionState;
import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.encode.ImapEncoder;
import org.apache.james.imap.encode.base.ImapResponseComposerImpl;
import org.apache.james.imap.main.ResponseEncoder;
import org.apache.james.imapserver.netty.IMAPMDCContext;
import org.apache.james.imapserver.netty.IMAPServer.AuthenticationConfiguration;
import org.apache.james.imapserver.netty.ImapChannelUpstreamHandler;
import org.apache.james.imapserver.netty.ImapMetrics;
import org.apache.james.imapserver.netty.ReactiveThrottler;
import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.NoopGaugeRegistry;
import org.apache.james.protocols.netty.Encryption;
import org.apache.james.util.MDCBuilder;
import org.apache.james.util.ReactorUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.AttributeKey;
import reactor.core.Disposable;

/**
 * James's IMAP connection handler with its command scheduling replaced: one command at a time per connection, each
 * started and finished on the connection's event loop, and every response written in order
 * ({@link OrderedChannelWrites}).
 *
 * <p>James 3.8.1 chains each command through a per-connection {@code Linearalizer} and a server-wide
 * {@code ReactiveThrottler}. A command queued behind another is started on whatever thread finished the previous one
 * (a Reactor or Cassandra driver thread), the queue is drained by recursion, and the response buffer is flushed from
 * that thread too: responses leave the connection out of order, and a deep queue can overflow the stack. James 3.9
 * reworked this for the same reasons. Here a command's completion is handed back to the event loop as a task, which
 * flushes its response and starts the next waiting command there; no recursion, no shared queue.
 *
 * <p>Whether a command is valid in the session's state is decided here, when the command starts, not when it was
 * read ({@link StateCheckDeferringParsers}): a pipelined FETCH is judged after the SELECT before it.
 *
 * <p>A client that pipelines more than {@code pipelineLimit} commands stops being read until they are answered, so
 * waiting commands never pile up in memory.
 *
 * <p>A connection whose commands have been answered {@code BAD} {@code invalidCommandLimit} times is told
 * {@code * BYE} and closed, as Dovecot does after 20: a client sending malformed commands back to back (each one
 * parsed, refused and answered) otherwise keeps the event loop it shares with other connections busy for as long
 * as it likes. Real clients do not send malformed commands more than by accident.
 */
final class OrderedCommandHandler extends ImapChannelUpstreamHandler {

    private static final Logger LOGGER = LoggerFactory.getLogger(OrderedCommandHandler.class);
    private static final AttributeKey<Commands> COMMANDS = AttributeKey.valueOf("gatewayOrderedCommands");
    private static final byte[] TOO_MANY_INVALID_COMMANDS =
        "* BYE Too many invalid commands, closing the connection\r\n".getBytes(StandardCharsets.US_ASCII);

    /** A connection's waiting commands and its writer; touched on the connection's event loop only. */
    private static final class Commands {
        final ArrayDeque<ImapMessage> waiting = new ArrayDeque<>();
        final OrderedChannelWrites writes;
        boolean running;
        int badAnswers;

        Commands(Channel channel) {
            this.writes = new OrderedChannelWrites(channel);
        }
    }

    private final ImapProcessor processor;
    private final ImapEncoder encoder;
    private final Metric commandsMetric;
    private final int pipelineLimit;
    private final int invalidCommandLimit;

    OrderedCommandHandler(String hello, ImapProcessor processor, ImapEncoder encoder, boolean compress, Encryption secure,
                          ImapMetrics metrics, AuthenticationConfiguration authentication, int heartbeatIntervalSeconds,
                          int pipelineLimit, int invalidCommandLimit) {
        // James's throttler is handed over unused: this class never calls it (its counters could leak under load).
        super(hello, processor, encoder, compress, secure, metrics, authentication, true, heartbeatIntervalSeconds,
            new ReactiveThrottler(new NoopGaugeRegistry(), -1, 0));
        this.processor = processor;
        this.encoder = encoder;
        this.commandsMetric = metrics.getCommandsMetric();
        this.pipelineLimit = pipelineLimit;
        this.invalidCommandLimit = invalidCommandLimit;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.channel().attr(COMMANDS).set(new Commands(ctx.channel()));
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        Commands commands = ctx.channel().attr(COMMANDS).getAndSet(null);
        if (commands != null) {
            commands.waiting.forEach(OrderedCommandHandler::release);
            commands.waiting.clear();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Commands commands = ctx.channel().attr(COMMANDS).get();
        if (commands == null) {
            release(msg);
            return;
        }
        commands.waiting.add((ImapMessage) msg);
        if (commands.running) {
            if (commands.waiting.size() >= pipelineLimit) {
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        startNext(ctx, commands);
    }

    private void startNext(ChannelHandlerContext ctx, Commands commands) {
        ImapMessage message = commands.waiting.poll();
        ImapSession session = ctx.channel().attr(IMAP_SESSION_ATTRIBUTE_KEY).get();
        if (message == null || session == null) {
            commands.running = false;
            if (!ctx.channel().config().isAutoRead()) {
                ctx.channel().config().setAutoRead(true);
            }
            release(message);
            return;
        }
        commands.running = true;
        commandsMetric.increment();
        ImapResponseComposerImpl response = new ImapResponseComposerImpl(commands.writes);
        commands.writes.beforeLiteral(response::flush);
        ResponseEncoder responseEncoder = new ResponseEncoder(encoder, response);
        BadAnswerWatch responses = new BadAnswerWatch(responseEncoder);
        MDCBuilder mdc = mdc(session);
        // Completion is always a new event-loop task, even when the command finished synchronously on the loop:
        // starting the next command from inside the previous one's completion would recurse once per pipelined command.
        // Only now are the commands before this one done: their state changes (SELECT, LOGIN, CLOSE) have taken effect.
        ImapMessage request = message instanceof StateCheckedCommand checked ? checked.inState(session.getState()) : message;
        Disposable inFlight = processor.processReactive(request, responses, session)
            .contextWrite(ReactorUtils.context("imap", mdc))
            .subscribe(
                nothing -> { },
                error -> ctx.executor().execute(
                    () -> finish(ctx, commands, message, session, response, responseEncoder, responses, error, mdc)),
                () -> ctx.executor().execute(
                    () -> finish(ctx, commands, message, session, response, responseEncoder, responses, null, mdc)));
        ctx.channel().attr(REQUEST_IN_FLIGHT_ATTRIBUTE_KEY).set(inFlight);
    }

    private void finish(ChannelHandlerContext ctx, Commands commands, ImapMessage message, ImapSession session,
                        ImapResponseComposerImpl response, ResponseEncoder responseEncoder, BadAnswerWatch responses,
                        Throwable error, MDCBuilder mdc) {
        ctx.channel().attr(REQUEST_IN_FLIGHT_ATTRIBUTE_KEY).set(null);
        release(message);
        try (Closeable context = mdc.build()) {
            response.flush();
            if (session.getState() == ImapSessionState.LOGOUT) {
                writeInOrderThenClose(ctx.channel(), commands, Unpooled.EMPTY_BUFFER);
            } else if (responses.answeredBad() && ++commands.badAnswers >= invalidCommandLimit) {
                sayByeAndClose(ctx, commands, session);
                return;
            }
            IOException failure = responseEncoder.getFailure();
            if (error != null) {
                ctx.fireExceptionCaught(error);
                return;
            }
            if (failure != null) {
                LOGGER.info(failure.getMessage());
                LOGGER.debug("Failed to write {}", message, failure);
                ctx.fireExceptionCaught(failure);
                return;
            }
        } catch (IOException e) {
            ctx.fireExceptionCaught(e);
            return;
        }
        if (ctx.channel().isActive() && ctx.channel().attr(COMMANDS).get() == commands) {
            startNext(ctx, commands);
        }
    }

    private void sayByeAndClose(ChannelHandlerContext ctx, Commands commands, ImapSession session) {
        String user = Optional.ofNullable(session.getUserName()).map(Username::asString).orElse("not logged in");
        LOGGER.info("Closing the IMAP connection of {} ({}): {} commands answered BAD (invalidCommandLimit)",
            ctx.channel().remoteAddress(), user, commands.badAnswers);
        Channel channel = ctx.channel();
        // Commands read ahead stay unanswered: the client is told why and the connection ends here.
        channel.config().setAutoRead(false);
        commands.waiting.forEach(OrderedCommandHandler::release);
        commands.waiting.clear();
        writeInOrderThenClose(channel, commands, Unpooled.wrappedBuffer(TOO_MANY_INVALID_COMMANDS));
    }

    /** Closes once {@code last} is written, after the responses still queued ahead of it. */
    private static void writeInOrderThenClose(Channel channel, Commands commands, ByteBuf last) {
        commands.writes.inOrder(() -> channel.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE));
    }

    private static MDCBuilder mdc(ImapSession session) {
        return Optional.ofNullable((MDCBuilder) session.getAttribute(MDC_KEY))
            .map(bound -> IMAPMDCContext.from(session).addToContext(bound))
            .orElseGet(() -> IMAPMDCContext.from(session));
    }

    private static void release(Object message) {
        if (message instanceof Closeable) {
            try {
                ((Closeable) message).close();
            } catch (IOException e) {
                LOGGER.debug("Could not release a command's literal", e);
            }
        }
    }
}
