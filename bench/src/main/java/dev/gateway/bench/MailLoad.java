package dev.gateway.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The IMAP/POP3 load generator of bench/compare-imap.sh, in the manner of Dovecot's imaptest: N concurrent clients,
 * each running sessions back to back over implicit TLS ({@link MailClient}, a raw protocol client) until the time
 * is up.
 *
 * <pre>
 * java -cp gateway-bench.jar dev.gateway.bench.MailLoad fill --port 46993 --users 10 --messages 500
 * java -cp gateway-bench.jar dev.gateway.bench.MailLoad imap --port 46993 --clients 50 --duration 60 --warmup 10
 *     --users 10 --messages 500 --pids 1234,5678 [--abuse] [--csv results.csv --cell dovecot,imap,50,quiet]
 * java -cp gateway-bench.jar dev.gateway.bench.MailLoad pop3 --port 46995 --clients 10 --duration 60 ...
 * </pre>
 *
 * <ul>
 * <li>{@code fill}: APPENDs {@code --messages} messages (the same bytes for every server: {@link #message}) into the
 * INBOX of each of user0..user(U-1)@domain, one connection per user, unless the INBOX holds that many already.</li>
 * <li>{@code imap}: a session is LOGIN, SELECT INBOX, FETCH 1:* (FLAGS ENVELOPE), 10 x FETCH n BODY.PEEK[] of random
 * filled messages, STORE n +FLAGS (\Flagged), then in a weighted mix: 30% APPEND a message and expunge it again
 * (UID STORE +FLAGS (\Deleted), UID EXPUNGE of the APPENDUID, so the mailbox keeps its size whatever the server's
 * speed), 20% IDLE for 100 ms (timed: the continuation plus DONE to OK, not the wait), 50% nothing; then LOGOUT.
 * Client c logs in as user(c mod U).</li>
 * <li>{@code pop3}: USER/PASS, STAT, LIST, 5 x RETR of random messages, DELE of one message in 20% of the sessions,
 * QUIT (which commits the deletion). POP3 has no APPEND, so the mailboxes shrink by those deletions.</li>
 * </ul>
 *
 * {@code --warmup} seconds of load run first and are not measured. {@code --abuse 1} runs {@link ImapAbuse} against the
 * same port during warm-up and measurement (every attack; {@code --abuse nest}, or a comma-separated list of
 * {@code hoard}, {@code nest}, {@code flood}: only those). {@code --pids}: the server's processes (with descendants)
 * for CPU time and peak RSS ({@link ServerMeter}). Prints one summary line and one line per command kind; with {@code --csv}
 * appends them as rows prefixed with {@code --cell}.
 */
public final class MailLoad {

    enum Kind { CONNECT, LOGIN, SELECT, FETCH_HEADERS, FETCH_BODY, STORE, APPEND, EXPUNGE, IDLE, LOGOUT,
        POP_LOGIN, STAT, LIST, RETR, DELE, QUIT }

    private static final Pattern APPENDUID = Pattern.compile("\\[APPENDUID \\d+ (\\d+)]");
    private static final Pattern STAT = Pattern.compile("^\\+OK (\\d+) ");
    private static final String TEXT = "Shall we meet on Thursday to go through the quarterly figures? I have booked "
        + "the small room on the second floor, and I will bring the printed copies. ";
    private static final int[] SIZES = {1_500, 3_000, 6_000, 3_000, 20_000, 1_500, 60_000, 3_000};

    private final Map<String, String> options;
    private final String host;
    private final int port;
    private final int users;
    private final int messages;
    private final String domain;
    private final String password;
    private volatile long measureFrom = Long.MAX_VALUE;
    private volatile long measureUntil = Long.MAX_VALUE;

    private MailLoad(Map<String, String> options) {
        this.options = options;
        this.host = options.getOrDefault("host", "127.0.0.1");
        this.port = Integer.parseInt(required(options, "port"));
        this.users = Integer.parseInt(options.getOrDefault("users", "10"));
        this.messages = Integer.parseInt(options.getOrDefault("messages", "500"));
        this.domain = options.getOrDefault("domain", "bench.test");
        this.password = options.getOrDefault("password", "bench");
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: MailLoad fill|imap|pop3 --port P [--option value]...");
        }
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value, got " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        MailLoad load = new MailLoad(options);
        switch (args[0]) {
            case "fill" -> load.fill();
            case "imap", "pop3" -> load.measure(args[0]);
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private String user(int index) {
        return "user" + (index % users) + "@" + domain;
    }

    /** The same bytes for every server: sizes from 1.5 to 60 KB in a fixed cycle, distinct headers. */
    static byte[] message(int index, String recipient) {
        StringBuilder text = new StringBuilder()
            .append("From: Carol Sender <carol@sender.example>\r\n")
            .append("To: ").append(recipient).append("\r\n")
            .append("Subject: quarterly figures ").append(index).append("\r\n")
            .append("Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n")
            .append("Message-ID: <fill-").append(index).append("@sender.example>\r\n")
            .append("MIME-Version: 1.0\r\n")
            .append("Content-Type: text/plain; charset=us-ascii\r\n\r\n");
        int size = SIZES[index % SIZES.length];
        for (int line = index; text.length() < size; line++) {
            int from = (line * 7) % 60;
            text.append(TEXT, from, from + 72).append("\r\n");
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private void fill() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(users, 10));
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int u = 0; u < users; u++) {
                String user = user(u);
                results.add(pool.submit(() -> fillOne(user)));
            }
            for (Future<String> result : results) {
                System.out.println(result.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private String fillOne(String user) throws IOException {
        try (MailClient imap = MailClient.connect(host, port, null, 120_000)) {
            imap.readLine();
            expectOk(imap.imap("LOGIN " + user + " " + password), "LOGIN " + user);
            expectOk(imap.imap("SELECT INBOX"), "SELECT INBOX of " + user);
            int present = imap.exists();
            for (int i = present; i < messages; i++) {
                expectOk(imap.imapWithLiteral("APPEND INBOX ()", message(i, user)), "APPEND to " + user);
            }
            expectOk(imap.imap("SELECT INBOX"), "SELECT INBOX of " + user);
            if (imap.exists() < messages) {
                throw new IOException(user + ": " + imap.exists() + " messages after filling " + messages);
            }
            imap.imap("LOGOUT");
            return user + ": " + imap.exists() + " messages (" + Math.max(0, messages - present) + " appended)";
        }
    }

    private static void expectOk(String tagged, String what) throws IOException {
        if (!tagged.split(" ", 3)[1].equals("OK")) {
            throw new IOException(what + ": " + tagged);
        }
    }

    private void measure(String mode) throws Exception {
        int clients = Integer.parseInt(options.getOrDefault("clients", "10"));
        long warmupNanos = (long) (Double.parseDouble(options.getOrDefault("warmup", "10")) * 1e9);
        long durationNanos = (long) (Double.parseDouble(options.getOrDefault("duration", "60")) * 1e9);
        List<Long> pids = options.containsKey("pids")
            ? Arrays.stream(options.get("pids").split(",")).map(Long::parseLong).toList() : List.of();
        ImapAbuse abuse = options.containsKey("abuse") ? new ImapAbuse(host, port, user(0), password, attacks()) : null;
        if (abuse != null) {
            abuse.start();
        }
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Client> all = new ArrayList<>();
        long start = System.nanoTime();
        measureUntil = start + warmupNanos + durationNanos;
        for (int c = 0; c < clients; c++) {
            Client client = new Client(user(c), mode.equals("imap"));
            all.add(client);
            pool.submit(client);
        }
        Thread.sleep(warmupNanos / 1_000_000);
        ServerMeter meter = new ServerMeter(pids, Long.parseLong(options.getOrDefault("clock-ticks", "100")));
        double cpuBefore = meter.cpuSeconds();
        measureFrom = System.nanoTime();
        Thread.sleep(durationNanos / 1_000_000);
        double cpu = meter.cpuSeconds() - cpuBefore;
        long measured = System.nanoTime() - measureFrom;
        meter.close();
        pool.shutdown();
        if (!pool.awaitTermination(120, java.util.concurrent.TimeUnit.SECONDS)) {
            pool.shutdownNow();
        }
        String abuseSummary = abuse == null ? "" : abuse.stop();
        report(all, measured / 1e9, cpu, meter.peakRssKb() / 1024, abuseSummary);
    }

    /** {@code --abuse 1} or {@code --abuse all}: every attack; else a comma-separated list of them. */
    private Set<String> attacks() {
        String value = options.get("abuse");
        if (value.equals("1") || value.equals("all")) {
            return ImapAbuse.ALL_ATTACKS;
        }
        return Set.of(value.split(","));
    }

    private void report(List<Client> clients, double seconds, double cpu, long rssMb, String abuseSummary)
            throws IOException {
        Map<Kind, long[]> latencies = new EnumMap<>(Kind.class);
        Map<Kind, Long> errors = new EnumMap<>(Kind.class);
        long sessions = 0;
        long sessionErrors = 0;
        List<Long> sessionTimes = new ArrayList<>();
        for (Client client : clients) {
            sessions += client.sessions;
            sessionErrors += client.sessionErrors;
            sessionTimes.addAll(client.sessionNanos);
            client.latencies.forEach((kind, list) -> latencies.merge(kind, list.toArray(),
                (a, b) -> { long[] merged = Arrays.copyOf(a, a.length + b.length);
                    System.arraycopy(b, 0, merged, a.length, b.length); return merged; }));
            client.errors.forEach((kind, count) -> errors.merge(kind, count.get(), Long::sum));
        }
        long ops = latencies.values().stream().mapToLong(a -> a.length).sum();
        long errorCount = errors.values().stream().mapToLong(Long::longValue).sum() + sessionErrors;
        long[] allOps = latencies.values().stream().flatMapToLong(Arrays::stream).sorted().toArray();
        long[] session = sessionTimes.stream().mapToLong(Long::longValue).sorted().toArray();
        String cell = options.getOrDefault("cell", "");
        List<String> rows = new ArrayList<>();
        rows.add(String.format(Locale.ROOT, "%s,ALL,%d,%.1f,%.2f,%.2f,%d,%d,%.1f,%.1f,%.2f,%.3f,%d,%s", cell, ops,
            ops / seconds, millis(allOps, 0.50), millis(allOps, 0.99), errorCount, sessions, sessions / seconds,
            millis(session, 0.99), cpu, ops == 0 ? Double.NaN : cpu * 1000 / ops, rssMb, abuseSummary));
        System.out.printf(Locale.ROOT, "sessions=%d sessions_per_s=%.1f ops=%d ops_per_s=%.1f p50_ms=%.2f p99_ms=%.2f "
                + "session_p99_ms=%.1f errors=%d session_errors=%d cpu_s=%.2f cpu_ms_per_op=%.3f peak_rss_mb=%d %s%n",
            sessions, sessions / seconds, ops, ops / seconds, millis(allOps, 0.50), millis(allOps, 0.99),
            millis(session, 0.99), errorCount, sessionErrors, cpu, ops == 0 ? Double.NaN : cpu * 1000 / ops, rssMb,
            abuseSummary);
        for (Map.Entry<Kind, long[]> entry : latencies.entrySet()) {
            long[] sorted = entry.getValue();
            Arrays.sort(sorted);
            long kindErrors = errors.getOrDefault(entry.getKey(), 0L);
            System.out.printf(Locale.ROOT, "  %-14s n=%-7d %8.1f/s p50=%8.2f ms p99=%8.2f ms errors=%d%n",
                entry.getKey(), sorted.length, sorted.length / seconds, millis(sorted, 0.50), millis(sorted, 0.99),
                kindErrors);
            rows.add(String.format(Locale.ROOT, "%s,%s,%d,%.1f,%.2f,%.2f,%d,,,,,,,", cell, entry.getKey(),
                sorted.length, sorted.length / seconds, millis(sorted, 0.50), millis(sorted, 0.99), kindErrors));
        }
        if (options.containsKey("csv")) {
            Files.writeString(Path.of(options.get("csv")), String.join("\n", rows) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    private static double millis(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    /** One client: sessions back to back until the end of the measured window. */
    private final class Client implements Runnable {
        private final String user;
        private final boolean imap;
        private final Map<Kind, LongList> latencies = new EnumMap<>(Kind.class);
        private final Map<Kind, AtomicLong> errors = new EnumMap<>(Kind.class);
        private final List<Long> sessionNanos = new ArrayList<>();
        private long sessions;
        private long sessionErrors;

        Client(String user, boolean imap) {
            this.user = user;
            this.imap = imap;
        }

        @Override
        public void run() {
            while (System.nanoTime() < measureUntil) {
                long begin = System.nanoTime();
                boolean counted = begin >= measureFrom;
                try {
                    if (imap) {
                        imapSession(counted);
                    } else {
                        pop3Session(counted);
                    }
                    if (counted) {
                        sessions++;
                        sessionNanos.add(System.nanoTime() - begin);
                    }
                } catch (IOException | RuntimeException e) {
                    if (counted) {
                        sessionErrors++;
                        if (sessionErrors <= 3) {
                            System.err.println(user + ": session failed: " + e);
                        }
                    }
                }
            }
        }

        private void imapSession(boolean counted) throws IOException {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            long begin = System.nanoTime();
            try (MailClient client = MailClient.connect(host, port, null, 60_000)) {
                client.readLine();
                record(Kind.CONNECT, begin, "* OK", counted);
                timed(client, Kind.LOGIN, "LOGIN " + user + " " + password, counted);
                timed(client, Kind.SELECT, "SELECT INBOX", counted);
                int range = Math.max(1, Math.min(client.exists(), messages));
                timed(client, Kind.FETCH_HEADERS, "FETCH 1:* (FLAGS ENVELOPE)", counted);
                for (int i = 0; i < 10; i++) {
                    timed(client, Kind.FETCH_BODY, "FETCH " + (1 + random.nextInt(range)) + " BODY.PEEK[]", counted);
                }
                timed(client, Kind.STORE, "STORE " + (1 + random.nextInt(range)) + " +FLAGS (\\Flagged)", counted);
                int mix = random.nextInt(100);
                if (mix < 30) {
                    long at = System.nanoTime();
                    String appended = client.imapWithLiteral("APPEND INBOX ()", message(random.nextInt(messages), user));
                    record(Kind.APPEND, at, appended, counted);
                    Matcher uid = APPENDUID.matcher(appended);
                    if (uid.find()) {
                        timed(client, Kind.STORE, "UID STORE " + uid.group(1) + " +FLAGS.SILENT (\\Deleted)", counted);
                        timed(client, Kind.EXPUNGE, "UID EXPUNGE " + uid.group(1), counted);
                    } else if (counted) {
                        errors.computeIfAbsent(Kind.EXPUNGE, k -> new AtomicLong()).incrementAndGet();
                    }
                } else if (mix < 50) {
                    idle(client, counted);
                }
                timed(client, Kind.LOGOUT, "LOGOUT", counted);
            }
        }

        /** IDLE's own cost: until the continuation, and from DONE to the tagged OK; the 100 ms in between not. */
        private void idle(MailClient client, boolean counted) throws IOException {
            String tag = client.nextTag();
            long at = System.nanoTime();
            client.send(tag + " IDLE");
            String line = client.readLine();
            while (line.startsWith("* ")) {
                line = client.readLine();
            }
            if (!line.startsWith("+")) {
                record(Kind.IDLE, at, line, counted);
                return;
            }
            long toContinuation = System.nanoTime() - at;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            long done = System.nanoTime();
            client.send("DONE");
            String tagged = client.imapResponse(tag);
            record(Kind.IDLE, done - toContinuation, tagged, counted);
        }

        private void pop3Session(boolean counted) throws IOException {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            long begin = System.nanoTime();
            try (MailClient client = MailClient.connect(host, port, null, 60_000)) {
                String greeting = client.readLine();
                record(Kind.CONNECT, begin, greeting.startsWith("+OK") ? "x OK" : "x NO", counted);
                long at = System.nanoTime();
                client.send("USER " + user);
                String reply = client.readLine();
                client.send("PASS " + password);
                reply = reply.startsWith("+OK") ? client.readLine() : reply;
                pop3Record(Kind.POP_LOGIN, at, reply, counted);
                at = System.nanoTime();
                client.send("STAT");
                reply = client.readLine();
                pop3Record(Kind.STAT, at, reply, counted);
                Matcher count = STAT.matcher(reply);
                int range = count.find() ? Integer.parseInt(count.group(1)) : 0;
                at = System.nanoTime();
                client.send("LIST");
                reply = client.readLine();
                if (reply.startsWith("+OK")) {
                    client.pop3MultiLine();
                }
                pop3Record(Kind.LIST, at, reply, counted);
                for (int i = 0; i < 5 && range > 0; i++) {
                    at = System.nanoTime();
                    client.send("RETR " + (1 + random.nextInt(range)));
                    reply = client.readLine();
                    if (reply.startsWith("+OK")) {
                        client.pop3MultiLine();
                    }
                    pop3Record(Kind.RETR, at, reply, counted);
                }
                if (range > 0 && random.nextInt(100) < 20) {
                    at = System.nanoTime();
                    client.send("DELE " + (1 + random.nextInt(range)));
                    pop3Record(Kind.DELE, at, client.readLine(), counted);
                }
                at = System.nanoTime();
                client.send("QUIT");
                pop3Record(Kind.QUIT, at, client.readLine(), counted);
            }
        }

        private void pop3Record(Kind kind, long at, String reply, boolean counted) {
            record(kind, at, reply.startsWith("+OK") ? "x OK" : "x ERR " + reply, counted);
        }

        private void timed(MailClient client, Kind kind, String command, boolean counted) throws IOException {
            long at = System.nanoTime();
            record(kind, at, client.imap(command), counted);
        }

        /** A tagged reply other than OK is an error of its kind; its time is not counted as a latency. */
        private void record(Kind kind, long at, String tagged, boolean counted) {
            if (!counted) {
                return;
            }
            String[] parts = tagged.split(" ", 3);
            if (parts.length > 1 && parts[1].equals("OK")) {
                latencies.computeIfAbsent(kind, k -> new LongList()).add(System.nanoTime() - at);
            } else {
                long n = errors.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
                if (n <= 2) {
                    System.err.println(user + " " + kind + ": " + tagged);
                }
            }
        }
    }

    private static final class LongList {
        private long[] values = new long[256];
        private int size;

        void add(long value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        long[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }
}
