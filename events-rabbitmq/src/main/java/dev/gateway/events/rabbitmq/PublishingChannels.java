package dev.gateway.events.rabbitmq;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

import org.apache.james.backends.rabbitmq.ReactorRabbitMQChannelPool;
import org.apache.james.metrics.api.MetricFactory;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.scheduler.Schedulers;
import reactor.pool.InstrumentedPool;
import reactor.pool.PoolBuilder;
import reactor.pool.PooledRef;
import reactor.util.retry.Retry;

/**
 * The channels mailbox events are published on: James's channel pool, except that every borrowed channel comes back.
 *
 * <pre>
 * channel.pool.size=3                 # channels publishing at once (James's default)
 * channel.pool.max.delay.ms=5000      # how long a publication waits for a free channel, and a channel's opening
 * channel.pool.retries=3              # attempts at opening a channel on the connection
 * </pre>
 *
 * <p>Why: James 3.8.1's {@code ReactorRabbitMQChannelPool} remembers a borrowed channel by its channel number. Right
 * after a broker outage two connections have live channels at once (the one the client recovered by itself, the one
 * the pool opened in its place) and their numbers overlap: handing one back releases the other's slot, and the first
 * slot is never returned. And reactor-rabbitmq's sender never hands back a channel whose {@code confirmSelect} failed
 * (a channel of a connection closed meanwhile, as {@link ReplacedConnections} closes the replaced one). Each such leak
 * keeps one of the pool's few channels for good. Once all are kept no event is published any more, and James's
 * "RabbitMQ backend" check waits 5 s for a channel and answers "The created connection was not opened", for as long
 * as the node runs: one node of BrokerOutageIT, in about one run of six.
 *
 * <p>And a channel asked for during an outage kept its place in the pool long after the broker was back: reactor-pool
 * lets an allocation run on when its borrower gives up, and James's connection Mono, asked for a connection while
 * none is open, blocks in a connection attempt that retries with a growing back-off (James 3.8.1 waits 3 s, then 6,
 * 12, 24, 48, 96 and 192 s). Three such allocations and the pool lent nothing until their
 * next attempts, a minute and more later: node A of BrokerOutageIT stayed unhealthy for its three minutes in CI.
 *
 * <p>So this pool tracks borrowed channels by identity, and a channel whose {@code confirmSelect} fails is handed back
 * (discarded) as it fails. An allocation gives up after {@code max.delay.ms}, as its borrower does. Channels are opened
 * on the node's connection as {@link ReplacedConnections} knows it, as soon as it is open again: the one the client
 * recovered by itself, or the one James's connection pool replaced it with. Only when neither is open does the pool ask
 * James's connection Mono, once at a time, on a boundedElastic thread, and an allocation waiting for that attempt still
 * takes the node's connection as soon as it is open. (Before, an allocation asked for between James's pool replacing
 * the connection and {@code ReplacedConnections} hearing of it waited on this pool's attempt, still in James's
 * back-off, and gave up: right after a reconnection a publication could find no channel within the borrow delay.
 * PublishingChannelsIT, CI of 2026-12-07.) The rest is as in James: the same settings, a channel closed or idle for
 * 30 s is discarded instead of lent, {@code confirmSelect} goes to the broker once per channel. James's own pool inside
 * (this class extends it, so that James's event bus and health check use it) is left unused but for declaring group
 * queues.
 */
public final class PublishingChannels extends ReactorRabbitMQChannelPool {

    private static final Duration IDLE_AT_MOST = Duration.ofSeconds(30);
    /** How often an allocation waiting for a connection looks whether the node's is open again. */
    private static final Duration LOOK_AT_THE_NODE_EVERY = Duration.ofMillis(100);
    private static final AMQP.Confirm.SelectOk ALREADY_SELECTED = new AMQP.Confirm.SelectOk.Builder().build();

    /** The pool's settings, read once from {@code rabbitmq.properties} under James's keys and with James's defaults. */
    public record Settings(int size, Duration maxBorrowDelay, int openRetries) {

        public static final Settings DEFAULT = new Settings(3, Duration.ofSeconds(5), 3);

        public Settings {
            if (size < 1) {
                throw new IllegalArgumentException(
                    "rabbitmq.properties: channel.pool.size must be at least 1, not " + size);
            }
        }

        public static Settings from(org.apache.commons.configuration2.Configuration properties) {
            return new Settings(properties.getInt("channel.pool.size", DEFAULT.size),
                Duration.ofMillis(properties.getLong("channel.pool.max.delay.ms", DEFAULT.maxBorrowDelay.toMillis())),
                properties.getInt("channel.pool.retries", DEFAULT.openRetries));
        }

        ReactorRabbitMQChannelPool.Configuration asJames() {
            return ReactorRabbitMQChannelPool.Configuration.builder()
                .retries(openRetries)
                .maxBorrowDelay(maxBorrowDelay)
                .maxChannel(size);
        }
    }

    private final Settings settings;
    private final Mono<Connection> connect;
    private final ReplacedConnections node;
    /** This pool's last attempt at connecting: under way, failed, or the connection it yielded. */
    private CompletableFuture<Connection> connecting = CompletableFuture.completedFuture(null);
    private final InstrumentedPool<Channel> channels;
    private final Map<Channel, PooledRef<Channel>> lent = Collections.synchronizedMap(new IdentityHashMap<>());

    /**
     * @param connection James's connection Mono, asked only when {@code node} knows of no open connection
     * @param node the node's connection, as the reconnections replace it
     */
    public PublishingChannels(Mono<Connection> connection, ReplacedConnections node, Settings settings,
                              MetricFactory metrics) {
        super(connection, settings.asJames(), metrics);
        this.settings = settings;
        this.connect = connection;
        this.node = node;
        // An allocation in progress holds a place in the pool whether or not its borrower still waits: bounded by the
        // borrow delay, it never keeps one for longer than the borrower would have waited.
        this.channels = PoolBuilder.from(currentConnection().flatMap(this::open).timeout(settings.maxBorrowDelay()))
            .sizeBetween(1, settings.size())
            .maxPendingAcquireUnbounded()
            .evictionPredicate((channel, metadata) ->
                !channel.isOpen() || metadata.idleTime() > IDLE_AT_MOST.toMillis())
            .destroyHandler(channel -> Mono.fromRunnable(() -> QuietClose.channel(channel)))
            .buildPool();
    }

    @Override
    public Mono<? extends Channel> getChannelMono() {
        return acquire()
            .doOnNext(ref -> lent.put(ref.poolable(), ref))
            .map(PooledRef::poolable)
            .onErrorMap(TimeoutException.class,
                e -> new NoSuchElementException("No free broker channel within " + settings.maxBorrowDelay()));
    }

    @Override
    public BiConsumer<SignalType, Channel> getChannelCloseHandler() {
        return (signal, channel) ->
            giveBack(channel, channel.isOpen() && (signal == SignalType.ON_COMPLETE || signal == SignalType.CANCEL));
    }

    @Override
    public Mono<Boolean> tryChannel() {
        return Mono.usingWhen(acquire(),
                ref -> Mono.just(ref.poolable().isOpen()),
                PooledRef::release)
            .onErrorResume(any -> Mono.just(false));
    }

    @Override
    public void close() {
        try {
            super.close();
        } finally {
            Map<Channel, PooledRef<Channel>> left;
            synchronized (lent) {
                left = Map.copyOf(lent);
                lent.clear();
            }
            left.values().forEach(ref -> ref.invalidate().subscribe());
            channels.dispose();
        }
    }

    private Mono<PooledRef<Channel>> acquire() {
        return channels.acquire().timeout(settings.maxBorrowDelay());
    }

    /**
     * Returns a lent channel to the pool ({@code reusable}) or discards it; a channel given back already is ignored.
     */
    private void giveBack(Channel channel, boolean reusable) {
        Optional.ofNullable(lent.remove(channel))
            .ifPresent(ref -> (reusable ? ref.release() : ref.invalidate()).subscribe());
    }

    /**
     * The node's connection when it is open (the one James's pool replaced it with, or the one the client recovered by
     * itself), else the one this pool connected to itself while it is open, else whichever comes first: the node's
     * connection open again, or this pool's one attempt at connecting, shared by every allocation while it lasts.
     */
    private Mono<Connection> currentConnection() {
        return Mono.defer(() -> openNodeConnection()
            .map(Mono::just)
            .orElseGet(() -> Mono.firstWithValue(nodeConnectionOpenAgain(),
                Mono.fromCompletionStage(connecting().copy()))));
    }

    private Optional<Connection> openNodeConnection() {
        return node.current().filter(Connection::isOpen);
    }

    /**
     * The node's connection as soon as it is open again. Looked at, not told: the client recovers a connection without
     * telling this pool, and {@link ReplacedConnections} hears of a replacement only after James's pool made it, from a
     * task of its own that a busy node may run late.
     */
    private Mono<Connection> nodeConnectionOpenAgain() {
        return Flux.interval(LOOK_AT_THE_NODE_EVERY)
            .concatMap(tick -> Mono.justOrEmpty(openNodeConnection()))
            .next();
    }

    /**
     * This pool's attempt: the last one while it is under way or the connection it yielded is open, else a new one.
     *
     * <p>That connection stays here rather than in {@link ReplacedConnections}, which stays the one account of the
     * node's connection: it is James's pool's, and reaches {@code ReplacedConnections} by James's own way (at start,
     * or through the reconnection handlers James runs before handing it over). Put there first, it would already be
     * "the same one" when its reconnection names it, so the connection it replaced would never be closed and would
     * recover its disposed consumers. And it is used only while {@code ReplacedConnections} knows of no open
     * connection: a late attempt never takes the place of an open one, nor closes one.
     */
    private synchronized CompletableFuture<Connection> connecting() {
        Optional<Connection> yielded = Optional.ofNullable(connecting.exceptionally(failure -> null).getNow(null));
        if (connecting.isDone() && yielded.filter(Connection::isOpen).isEmpty()) {
            // On a boundedElastic thread: James's connection Mono blocks while it connects, and retries for minutes.
            connecting = connect.subscribeOn(Schedulers.boundedElastic()).toFuture();
        }
        return connecting;
    }

    private Mono<Channel> open(Connection connection) {
        return Mono.fromCallable(() -> connection.openChannel()
                .orElseThrow(() -> new IllegalStateException("the broker connection has no channel left")))
            .map(this::selectingConfirmsOnce)
            .retryWhen(Retry.backoff(settings.openRetries(), settings.maxBorrowDelay())
                .scheduler(Schedulers.boundedElastic()));
    }

    /**
     * The channel, answering {@code confirmSelect} from the second call on without asking the broker again (the sender
     * asks at every publication), and handing itself back when the broker refuses it.
     */
    private Channel selectingConfirmsOnce(Channel channel) {
        AtomicBoolean selected = new AtomicBoolean();
        InvocationHandler handler = (proxy, method, arguments) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> proxy == arguments[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> "lent " + channel;
                };
            }
            boolean confirmSelect = "confirmSelect".equals(method.getName()) && method.getParameterCount() == 0;
            if (confirmSelect && selected.get()) {
                return ALREADY_SELECTED;
            }
            try {
                Object answer = method.invoke(channel, arguments);
                if (confirmSelect) {
                    selected.set(true);
                }
                return answer;
            } catch (InvocationTargetException e) {
                if (confirmSelect) {
                    // The sender does not hand back a channel it could not put in confirm mode.
                    giveBack((Channel) proxy, false);
                }
                throw e.getCause();
            }
        };
        return (Channel) Proxy.newProxyInstance(Channel.class.getClassLoader(), new Class<?>[] {Channel.class},
            handler);
    }
}
