package dev.gateway.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import dev.gateway.authentication.dkim.DkimKey;
import dev.gateway.authentication.dkim.DkimKeys;
import dev.gateway.authentication.dkim.DkimSigner;
import dev.gateway.authentication.dkim.RawMessage;

/**
 * The load generator of bench/compare.sh: sends messages over N concurrent SMTP sessions (raw sockets, one
 * connection per session, many transactions per connection, no pipelining), records each message's accept latency
 * (from the end-of-data dot to the server's reply) and then counts what actually arrived in the mailboxes, through
 * WebAdmin (James, Gateway) or by counting Maildir files (Postfix).
 *
 * <pre>
 * java -cp gateway-bench.jar dev.gateway.bench.SmtpLoad --port 40025 --messages 2000 --warmup 200 --sessions 10
 *     --size 2048 --users 10 --domain bench.test --pids 1234
 *     (--webadmin http://127.0.0.1:48000 | --maildir /tmp/postfix/mail/bench.test)
 * </pre>
 *
 * {@code --auth PASSWORD}: submission as a user, on a port with implicit TLS (465; the server's certificate is not
 * checked, it is a loopback benchmark): session {@code s} logs in as user{@code s mod U}@domain with PASSWORD and
 * sends as that user, so the per-user policy (SendingRateLimit, AuthFailureLockout) runs on every message.
 *
 * {@code --pids} names the server's processes (comma-separated; their descendants count too) for the CPU seconds
 * and peak resident memory of the measured phase ({@link ServerMeter}); {@code --clock-ticks} is
 * {@code getconf CLK_TCK} (100). {@code --jfr FILE} has the server's JVMs record a Flight Recording of the
 * measured phase: the first JVM of --pids into FILE, the next (Cassandra) into FILE-1.jfr. The CPU of each pid's
 * tree is printed on stderr, and so is how the messages above the p99 accept latency spread over the phase's seconds
 * ({@link TailInTime}). {@code --dkim-keys DIR} DKIM-signs every message as sender.example with the key
 * {@link AuthenticationZone} made there, as a sending domain's own server would (the signing is the generator's CPU,
 * not the server's).
 *
 * {@code --rate R} offers the measured phase's messages at R a second in all (message i starts at i/R seconds), instead
 * of each session sending its next message as soon as the last is answered: below the server's capacity, the accept
 * latency is then the server's own, not the wait of a queue the load itself keeps full. A session still sends one
 * message at a time, so a server slower than R falls behind the schedule; stderr says how many messages started more
 * than 100 ms late. The warm-up is paced at the same rate, so that the measured phase does not start behind the
 * flushes and compactions of a warm-up sent as fast as the server could take it. A cold server may still fall behind
 * the warm-up's schedule while its code is compiled (13-41 s at 2 KB and 100 msgs/s on a 2-core machine); stderr says
 * by how much, and a warm-up too short to catch up starts the measured phase with that backlog.
 *
 * {@code --body text} (the default) fills each message with lines of prose, which compress well; {@code --body random}
 * with lines of random base64 characters, which do not, as an attached file does not.
 *
 * Recipients are user0..user(U-1)@domain in turn. A warm-up of {@code --warmup} messages is sent and awaited first
 * and not measured. Prints one line of {@code key=value} pairs: messages, accepted, refused, delivered,
 * accepted_per_s (accepted / seconds from the first send to the last accept), delivered_per_s (delivered / seconds
 * from the first send to the last arrival seen), latency_p50_ms, latency_p99_ms, latency_max_ms, cpu_s,
 * cpu_ms_per_msg (per delivered message), peak_rss_mb, jit_ms_per_msg (the part of cpu_ms_per_msg the JVMs' JIT
 * compiler threads used: warm-up still under way).
 */
public final class SmtpLoad {

    private static final byte[] CRLF = {'\r', '\n'};
    /** The length of the body's lines, CRLF aside. */
    private static final int LINE_LENGTH = 72;
    private static final long RANDOM_BODY_SEED = 20261206L;
    private static final String TEXT = "Shall we meet on Thursday to go through the quarterly figures? I have booked "
        + "the small room on the second floor, and I will bring the printed copies. ";

    private final Settings settings;
    private final DeliveredCounter counter;
    private final byte[] body;
    private final Optional<DkimKey> signingKey;
    private final DkimSigner signer = new DkimSigner(Clock.systemUTC());
    /** The --pids that are Java processes (the gateway, Cassandra; not spamd): the ones --jfr records. */
    private final List<Long> jvms;

    private SmtpLoad(Settings settings) throws IOException, GeneralSecurityException {
        this.settings = settings;
        this.jvms = settings.pids().stream().filter(SmtpLoad::isJvm).toList();
        this.body = settings.randomBody() ? randomBody(settings.size()) : body(settings.size());
        this.signingKey = settings.dkimKeys() == null ? Optional.empty()
            : Optional.of(new DkimKeys(Path.of(settings.dkimKeys())).signingKey(AuthenticationZone.SENDER_DOMAIN)
                .orElseThrow(() -> new IllegalArgumentException("no key for " + AuthenticationZone.SENDER_DOMAIN
                    + " under " + settings.dkimKeys())));
        this.counter = settings.maildir() != null
            ? new MaildirCounter(Path.of(settings.maildir()), settings.users())
            : new WebAdminCounter(settings.webadmin(), settings.users(), settings.domain());
    }

    public static void main(String[] args) throws Exception {
        System.out.println(new SmtpLoad(Settings.parse(args)).run());
    }

    private String run() throws Exception {
        if (settings.warmup() > 0) {
            Schedule warmSchedule = schedule(System.nanoTime());
            Result warm = send("warmup", settings.warmup(), warmSchedule);
            if (warmSchedule.paced()) {
                System.err.println("warm-up: " + warmSchedule.describe(settings.warmup()));
            }
            awaitDelivered(settings.warmup(), System.nanoTime());
            if (warm.accepted() < settings.warmup()) {
                throw new IllegalStateException("warm-up: only " + warm.accepted() + " of " + settings.warmup()
                    + " accepted");
            }
        }
        long baseline = counter.count();
        ServerMeter meter = new ServerMeter(settings.pids(), settings.clockTicks());
        double cpuBefore = meter.cpuSeconds();
        double[] cpuBeforeByRoot = meter.cpuSecondsByRoot();
        List<Map<String, Double>> threadsBefore = meter.threadSecondsByRoot();
        if (settings.jfr() != null) {
            for (int i = 0; i < jvms.size(); i++) {
                jcmd(jvms.get(i), "JFR.start", "name=bench", "settings=profile", "filename=" + recording(i));
            }
        }
        long start = System.nanoTime();
        Schedule schedule = schedule(start);
        Result result = send("run", settings.messages(), schedule);
        if (schedule.paced()) {
            System.err.println(schedule.describe(settings.messages()));
        }
        long[] arrival = awaitDelivered(baseline + result.accepted(), start);
        double cpu = meter.cpuSeconds() - cpuBefore;
        double[] cpuByRoot = meter.cpuSecondsByRoot();
        List<Map<String, Double>> threadsAfter = meter.threadSecondsByRoot();
        meter.close();
        if (settings.jfr() != null) {
            for (long jvm : jvms) {
                jcmd(jvm, "JFR.stop", "name=bench");
            }
        }
        long delivered = arrival[0] - baseline;
        // Which process the CPU went to (gateway, Cassandra, spamd): on stderr, so the result line keeps its columns.
        double jit = 0;
        for (int i = 0; i < cpuByRoot.length; i++) {
            double jitOfRoot = ServerMeter.compilerSeconds(threadsAfter.get(i))
                - ServerMeter.compilerSeconds(threadsBefore.get(i));
            jit += jitOfRoot;
            System.err.printf(Locale.ROOT, "cpu of pid %d: %.2f s, %.2f ms per delivered message, of which JIT compilers %.2f ms%n",
                settings.pids().get(i), cpuByRoot[i] - cpuBeforeByRoot[i],
                delivered == 0 ? Double.NaN : (cpuByRoot[i] - cpuBeforeByRoot[i]) * 1000 / delivered,
                delivered == 0 ? Double.NaN : jitOfRoot * 1000 / delivered);
            if (delivered > 0) {
                System.err.println(ThreadPoolsCpu.describe(threadsBefore.get(i), threadsAfter.get(i),
                    cpuByRoot[i] - cpuBeforeByRoot[i], delivered));
            }
        }
        // Sorted apart: the result's own order pairs each latency with when its message was sent.
        long[] latencies = result.latenciesNanos().clone();
        Arrays.sort(latencies);
        System.err.println(TailInTime.of(result.latenciesNanos(), result.sentAtNanos(), start,
            percentileMillis(latencies, 0.99)).describe());
        double acceptSeconds = (result.lastAcceptNanos() - start) / 1e9;
        double deliverSeconds = (arrival[1] - start) / 1e9;
        return String.format(Locale.ROOT,
            "messages=%d accepted=%d refused=%d delivered=%d accepted_per_s=%.1f delivered_per_s=%.1f "
                + "latency_p50_ms=%.2f latency_p99_ms=%.2f latency_max_ms=%.2f cpu_s=%.2f cpu_ms_per_msg=%.2f "
                + "peak_rss_mb=%d jit_ms_per_msg=%.2f",
            settings.messages(), result.accepted(), settings.messages() - result.accepted(), delivered,
            result.accepted() / acceptSeconds, delivered / deliverSeconds,
            percentileMillis(latencies, 0.50), percentileMillis(latencies, 0.99),
            percentileMillis(latencies, 1.0), cpu, delivered == 0 ? Double.NaN : cpu * 1000 / delivered,
            meter.peakRssKb() / 1024, delivered == 0 ? Double.NaN : jit * 1000 / delivered);
    }

    /** The first JVM's recording is --jfr FILE itself; another JVM's (Cassandra's) is FILE with "-N.jfr" for ".jfr". */
    private String recording(int jvm) {
        return jvm == 0 ? settings.jfr() : settings.jfr().replaceFirst("(\\.jfr)?$", "-" + jvm + ".jfr");
    }

    /** Flight Recorder commands to one of the server's JVMs, so a recording covers the measured phase. */
    private static void jcmd(long pid, String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(List.of("jcmd", Long.toString(pid)));
        line.addAll(List.of(command));
        Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", line) + " failed: " + output);
        }
    }

    private static boolean isJvm(long pid) {
        return ProcessHandle.of(pid).flatMap(process -> process.info().command())
            .map(command -> command.endsWith("/java")).orElse(false);
    }

    private static double percentileMillis(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    /** The schedule of a phase that starts now: paced when {@code --rate} is given. */
    private Schedule schedule(long startNanos) {
        return settings.rate() > 0 ? new Schedule(startNanos, settings.rate()) : Schedule.unpaced();
    }

    private Result send(String phase, int messages, Schedule schedule) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(settings.sessions());
        try {
            List<Future<Session>> sessions = new ArrayList<>();
            for (int s = 0; s < settings.sessions(); s++) {
                int number = s;
                sessions.add(pool.submit(() -> new Session(number).sendUntilDone(phase, next, messages, schedule)));
            }
            List<Long> latencies = new ArrayList<>(messages);
            List<Long> sentAt = new ArrayList<>(messages);
            long lastAccept = 0;
            for (Future<Session> future : sessions) {
                Session session = future.get();
                latencies.addAll(session.latencies);
                sentAt.addAll(session.sentAt);
                lastAccept = Math.max(lastAccept, session.lastAcceptNanos);
            }
            return new Result(latencies.size(), latencies.stream().mapToLong(Long::longValue).toArray(),
                sentAt.stream().mapToLong(Long::longValue).toArray(), lastAccept);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Waits until {@code expected} messages are in the mailboxes, or until the count stops moving for the settle
     * time. Polls slowly while far from done so that counting does not load the server, then every 100 ms.
     * Returns the count and the time it was first seen.
     */
    private long[] awaitDelivered(long expected, long start) throws InterruptedException {
        long count = counter.count();
        long seenAt = System.nanoTime();
        long lastChange = seenAt;
        while (count < expected && System.nanoTime() - lastChange < settings.settleNanos()) {
            long behind = expected - count;
            Thread.sleep(behind > expected / 20 ? 500 : 100);
            long now = counter.count();
            long at = System.nanoTime();
            if (now != count) {
                count = now;
                seenAt = at;
                lastChange = at;
            }
        }
        return new long[] {count, Math.max(seenAt, start)};
    }

    /**
     * Headers differ per message, and so does the body's first line: a store that de-duplicates bodies (the cluster
     * profile's blob store, which does not write again a blob it wrote lately) would otherwise write one body for the
     * whole cell. The rest of the body is built once, so the generator spends little CPU per message.
     */
    private byte[] message(String phase, int index, String sender) {
        byte[] header = ("From: Sender <" + sender + ">\r\n"
            + "To: " + recipient(index) + "\r\n"
            + "Subject: quarterly figures " + index + "\r\n"
            + "Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n"
            + "Message-ID: <" + phase + "-" + index + "-" + System.nanoTime() + "@sender.example>\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=us-ascii\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] message = Arrays.copyOf(header, header.length + body.length);
        System.arraycopy(body, 0, message, header.length, body.length);
        if (body.length >= LINE_LENGTH) {
            byte[] firstLine = String.format("%-" + LINE_LENGTH + "s", phase + " " + index + " " + System.nanoTime())
                .getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(firstLine, 0, message, header.length, LINE_LENGTH);
        }
        return signingKey.map(key -> signed(message, key)).orElse(message);
    }

    private byte[] signed(byte[] message, DkimKey key) {
        try {
            byte[] field = signer.sign(RawMessage.parse(message), key).getBytes(StandardCharsets.US_ASCII);
            byte[] signedMessage = Arrays.copyOf(field, field.length + message.length);
            System.arraycopy(message, 0, signedMessage, field.length, message.length);
            return signedMessage;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with " + key.selector(), e);
        }
    }

    /**
     * Lines of prose (no leading dots, so no dot-stuffing) adding up to about {@code size} bytes with headers, each of
     * {@value #LINE_LENGTH} characters and CRLF.
     */
    private static byte[] body(int size) {
        StringBuilder body = new StringBuilder();
        int line = 0;
        while (body.length() < size - 260) {
            int from = (line * 7) % 60;
            body.append(TEXT, from, from + LINE_LENGTH).append("\r\n");
            line++;
        }
        return body.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Lines of random base64 characters adding up to about {@code size} bytes with headers, as an attached file's
     * encoding is: Cassandra's LZ4 can shorten them only by the base64 overhead's worth, where it shortens the prose of
     * {@link #body} about 30 times. The same seed every run, so two runs send the same bytes.
     */
    private static byte[] randomBody(int size) {
        Random random = new Random(RANDOM_BODY_SEED);
        byte[] raw = new byte[LINE_LENGTH / 4 * 3];
        StringBuilder body = new StringBuilder();
        while (body.length() < size - 260) {
            random.nextBytes(raw);
            body.append(Base64.getEncoder().encodeToString(raw)).append("\r\n");
        }
        return body.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private String recipient(int index) {
        return "user" + (index % settings.users()) + "@" + settings.domain();
    }

    /** One SMTP connection sending transactions until the shared counter runs out. */
    private final class Session {
        private final List<Long> latencies = new ArrayList<>();
        private final List<Long> sentAt = new ArrayList<>();
        private long lastAcceptNanos;
        private InputStream in;
        private OutputStream out;

        private final String sender;

        Session(int number) {
            this.sender = settings.password() == null ? "carol@sender.example" : recipient(number);
        }

        Session sendUntilDone(String phase, AtomicInteger next, int messages, Schedule schedule) throws Exception {
            try (Socket socket = settings.password() == null ? new Socket() : MailClient.trustAll().getSocketFactory().createSocket()) {
                socket.connect(new InetSocketAddress(settings.host(), settings.port()), 10_000);
                socket.setSoTimeout(120_000);
                socket.setTcpNoDelay(true);
                in = new BufferedInputStream(socket.getInputStream());
                out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
                expect(reply(), 220);
                command("EHLO load.sender.example");
                expect(reply(), 250);
                if (settings.password() != null) {
                    command("AUTH PLAIN " + Base64.getEncoder().encodeToString(("\0" + sender + "\0" + settings.password())
                        .getBytes(StandardCharsets.UTF_8)));
                    expect(reply(), 235);
                }
                for (int index = next.getAndIncrement(); index < messages; index = next.getAndIncrement()) {
                    schedule.awaitTurn(index);
                    transaction(message(phase, index, sender), recipient(index));
                }
                command("QUIT");
                reply();
            }
            return this;
        }

        private void transaction(byte[] data, String recipient) throws IOException {
            command("MAIL FROM:<" + sender + ">");
            int mail = reply();
            command("RCPT TO:<" + recipient + ">");
            int rcpt = reply();
            if (mail != 250 || rcpt / 100 != 2) {
                command("RSET");
                reply();
                return;
            }
            command("DATA");
            expect(reply(), 354);
            out.write(data);
            out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
            long sent = System.nanoTime();
            out.flush();
            int code = reply();
            long answered = System.nanoTime();
            if (code == 250) {
                latencies.add(answered - sent);
                sentAt.add(sent);
                lastAcceptNanos = answered;
            }
        }

        private void command(String line) throws IOException {
            out.write(line.getBytes(StandardCharsets.US_ASCII));
            out.write(CRLF);
            out.flush();
        }

        /** Reads a whole (possibly multi-line) reply and returns its code. */
        private int reply() throws IOException {
            while (true) {
                String line = readLine();
                if (line.length() < 3) {
                    throw new IOException("bad reply line: " + line);
                }
                if (line.length() == 3 || line.charAt(3) != '-') {
                    return Integer.parseInt(line.substring(0, 3));
                }
            }
        }

        private String readLine() throws IOException {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) {
                    throw new IOException("connection closed after: " + line);
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }

        private void expect(int code, int wanted) throws IOException {
            if (code != wanted) {
                throw new IOException("expected " + wanted + " but got " + code);
            }
        }
    }

    private interface DeliveredCounter {
        long count();
    }

    /** Postfix's virtual delivery agent writes each message into {@code <base>/<user>/new/}. */
    private record MaildirCounter(Path base, int users) implements DeliveredCounter {
        @Override
        public long count() {
            long total = 0;
            for (int u = 0; u < users; u++) {
                Path dir = base.resolve("user" + u).resolve("new");
                if (Files.isDirectory(dir)) {
                    try (Stream<Path> files = Files.list(dir)) {
                        total += files.count();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
            return total;
        }
    }

    /** James's and Gateway's WebAdmin: {@code GET /users/{user}/mailboxes/INBOX/messageCount}. */
    private static final class WebAdminCounter implements DeliveredCounter {
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private final List<URI> uris = new ArrayList<>();

        WebAdminCounter(String webadmin, int users, String domain) {
            for (int u = 0; u < users; u++) {
                uris.add(URI.create(webadmin + "/users/user" + u + "@" + domain + "/mailboxes/INBOX/messageCount"));
            }
        }

        @Override
        public long count() {
            long total = 0;
            for (URI uri : uris) {
                try {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        total += Long.parseLong(response.body().trim());
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            return total;
        }
    }

    /**
     * When each message of a paced phase is due ({@code --rate}), and how late the sessions started them. One per
     * phase: its counters belong to that phase.
     */
    private static final class Schedule {
        private static final long LATE_NANOS = 100_000_000L;

        private final long startNanos;
        private final double rate;
        private final AtomicInteger late = new AtomicInteger();
        private final AtomicLong latestNanos = new AtomicLong();

        Schedule(long startNanos, double rate) {
            this.startNanos = startNanos;
            this.rate = rate;
        }

        /** A phase whose sessions send as soon as they are answered. */
        static Schedule unpaced() {
            return new Schedule(0, 0);
        }

        boolean paced() {
            return rate > 0;
        }

        void awaitTurn(int index) {
            if (!paced()) {
                return;
            }
            long due = startNanos + (long) (index * 1e9 / rate);
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            long behind = System.nanoTime() - due;
            if (behind > LATE_NANOS) {
                late.incrementAndGet();
            }
            latestNanos.accumulateAndGet(behind, Math::max);
        }

        String describe(int messages) {
            return String.format(Locale.ROOT, "offered %.1f msgs/s: %d of %d messages started more than %d ms after their"
                + " time (the latest %.0f ms)", rate, late.get(), messages, LATE_NANOS / 1_000_000,
                latestNanos.get() / 1e6);
        }
    }

    /** Each accepted message's latency, and when its end of data was sent (same index). */
    private record Result(int accepted, long[] latenciesNanos, long[] sentAtNanos, long lastAcceptNanos) {
    }

    private record Settings(String host, int port, int messages, int warmup, int sessions, int size, int users,
                            String domain, String webadmin, String maildir, long settleNanos, List<Long> pids,
                            long clockTicks, String jfr, String password, String dkimKeys, double rate,
                            boolean randomBody) {

        static Settings parse(String[] args) {
            Map<String, String> options = new HashMap<>();
            for (int i = 0; i + 1 < args.length; i += 2) {
                if (!args[i].startsWith("--")) {
                    throw new IllegalArgumentException("expected --option value, got " + args[i]);
                }
                options.put(args[i].substring(2), args[i + 1]);
            }
            Settings settings = new Settings(options.getOrDefault("host", "127.0.0.1"),
                Integer.parseInt(required(options, "port")),
                Integer.parseInt(options.getOrDefault("messages", "2000")),
                Integer.parseInt(options.getOrDefault("warmup", "200")),
                Integer.parseInt(options.getOrDefault("sessions", "10")),
                Integer.parseInt(options.getOrDefault("size", "2048")),
                Integer.parseInt(options.getOrDefault("users", "10")),
                options.getOrDefault("domain", "bench.test"),
                options.get("webadmin"), options.get("maildir"), Duration.ofSeconds(Long.parseLong(options.getOrDefault("settle", "30"))).toNanos(),
                Arrays.stream(required(options, "pids").split(",")).map(Long::parseLong).toList(),
                Long.parseLong(options.getOrDefault("clock-ticks", "100")), options.get("jfr"), options.get("auth"),
                options.get("dkim-keys"), Double.parseDouble(options.getOrDefault("rate", "0")),
                body(options.getOrDefault("body", "text")));
            if ((settings.webadmin() == null) == (settings.maildir() == null)) {
                throw new IllegalArgumentException("give exactly one of --webadmin URL and --maildir DIR");
            }
            return settings;
        }

        private static boolean body(String kind) {
            return switch (kind) {
                case "text" -> false;
                case "random" -> true;
                default -> throw new IllegalArgumentException("--body: text or random, not " + kind);
            };
        }

        private static String required(Map<String, String> options, String name) {
            String value = options.get(name);
            if (value == null) {
                throw new IllegalArgumentException("--" + name + " is required");
            }
            return value;
        }
    }
}
