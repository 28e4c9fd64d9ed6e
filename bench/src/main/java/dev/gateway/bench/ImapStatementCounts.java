package dev.gateway.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.datastax.oss.driver.api.core.CqlSession;

/**
 * What each IMAP command of compare-imap.sh's session costs the cluster profile in Cassandra statements, table by
 * table: one kind of command at a time, repeated {@code --repeat} times by one client on an INBOX filled by
 * {@code MailLoad fill}, with {@link CassandraTableCounts#snapshot} before and after. Statement counts do not depend
 * on the machine's load, so they compare trees where timings on a shared machine cannot.
 *
 * <pre>
 * java -cp gateway-bench.jar dev.gateway.bench.ImapStatementCounts --port 53993 --cassandra 127.0.0.1:23942
 *     [--user user0@bench.test --password bench --repeat 50 --idle 10]
 * </pre>
 *
 * What the gateway does in the background is measured first over {@code --idle} seconds with no client and
 * subtracted from each phase in proportion to its duration; the tables only timers write (the queue's, the routing
 * table's, Cassandra's size estimates) are left out.
 * Phases: LOGIN (a connection, LOGIN, LOGOUT), SELECT INBOX, FETCH 1:* (FLAGS ENVELOPE), FETCH n BODY.PEEK[],
 * STORE n +FLAGS (\Flagged), APPEND, UID STORE +FLAGS.SILENT (\Deleted) and UID EXPUNGE of the appended messages
 * (so the INBOX keeps its size), NOOP. Prints one block per phase and a summary line per phase.
 */
public final class ImapStatementCounts {

    private static final Pattern APPENDUID = Pattern.compile("\\[APPENDUID \\d+ (\\d+)]");

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final int repeat;
    private final CqlSession cassandra;
    private final Map<String, Double> backgroundPerNano = new HashMap<>();
    private final Map<String, String> summary = new LinkedHashMap<>();

    private ImapStatementCounts(Map<String, String> options, CqlSession cassandra) {
        this.host = options.getOrDefault("host", "127.0.0.1");
        this.port = Integer.parseInt(options.get("port"));
        this.user = options.getOrDefault("user", "user0@bench.test");
        this.password = options.getOrDefault("password", "bench");
        this.repeat = Integer.parseInt(options.getOrDefault("repeat", "50"));
        this.cassandra = cassandra;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        if (!options.containsKey("port") || !options.containsKey("cassandra")) {
            System.err.println("usage: ImapStatementCounts --port IMAPS_PORT --cassandra HOST:PORT [--user U --password P"
                + " --repeat N --idle SECONDS]");
            System.exit(2);
        }
        String[] hostPort = options.get("cassandra").split(":");
        try (CqlSession session = CqlSession.builder()
                .addContactPoint(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])))
                .withLocalDatacenter("datacenter1")
                .build()) {
            new ImapStatementCounts(options, session).run(Double.parseDouble(options.getOrDefault("idle", "10")));
        }
    }

    private interface Phase {
        void run(MailClient imap) throws IOException;
    }

    private void run(double idleSeconds) throws Exception {
        measureBackground(idleSeconds);
        Random random = new Random(42);
        phase("LOGIN", null, 1, imap -> {
            try (MailClient session = connect()) {
                expectOk(session.imap("LOGIN " + user + " " + password));
                session.imap("LOGOUT");
            }
        });
        try (MailClient imap = connect()) {
            expectOk(imap.imap("LOGIN " + user + " " + password));
            expectOk(imap.imap("SELECT INBOX"));
            int messages = imap.exists();
            System.out.println("INBOX of " + user + ": " + messages + " messages");
            phase("SELECT", imap, 1, client -> expectOk(client.imap("SELECT INBOX")));
            phase("FETCH_HEADERS", imap, messages, client -> expectOk(client.imap("FETCH 1:* (FLAGS ENVELOPE)")));
            phase("FETCH_BODY", imap, 1,
                client -> expectOk(client.imap("FETCH " + (1 + random.nextInt(messages)) + " BODY.PEEK[]")));
            phase("STORE", imap, 1,
                client -> expectOk(client.imap("STORE " + (1 + random.nextInt(messages)) + " +FLAGS (\\Flagged)")));
            List<String> appended = new ArrayList<>();
            phase("APPEND", imap, 1, client -> {
                String tagged = client.imapWithLiteral("APPEND INBOX ()", MailLoad.message(random.nextInt(messages), user));
                expectOk(tagged);
                Matcher uid = APPENDUID.matcher(tagged);
                if (!uid.find()) {
                    throw new IOException("no APPENDUID in " + tagged);
                }
                appended.add(uid.group(1));
            });
            List<String> toDelete = new ArrayList<>(appended);
            phase("STORE_DELETED", imap, 1,
                client -> expectOk(client.imap("UID STORE " + toDelete.remove(0) + " +FLAGS.SILENT (\\Deleted)")));
            phase("EXPUNGE", imap, 1, client -> expectOk(client.imap("UID EXPUNGE " + appended.remove(0))));
            phase("NOOP", imap, 1, client -> expectOk(client.imap("NOOP")));
            imap.imap("LOGOUT");
        }
        System.out.println();
        System.out.println("summary (Cassandra local operations per command, background subtracted)");
        summary.values().forEach(System.out::println);
    }

    private MailClient connect() throws IOException {
        MailClient imap = MailClient.connect(host, port, null, 120_000);
        imap.readLine();
        return imap;
    }

    private void measureBackground(double seconds) throws InterruptedException {
        Map<String, Long> before = CassandraTableCounts.snapshot(cassandra);
        long start = System.nanoTime();
        Thread.sleep((long) (seconds * 1000));
        Map<String, Long> after = CassandraTableCounts.snapshot(cassandra);
        long elapsed = System.nanoTime() - start;
        after.forEach((table, count) ->
            backgroundPerNano.put(table, (count - before.getOrDefault(table, 0L)) / (double) elapsed));
    }

    /** Runs {@code body} {@code repeat} times and prints what it cost per command (and per message for a range). */
    private void phase(String name, MailClient imap, int perCommandDivisor, Phase body) throws IOException {
        Map<String, Long> before = CassandraTableCounts.snapshot(cassandra);
        long start = System.nanoTime();
        for (int i = 0; i < repeat; i++) {
            body.run(imap);
        }
        long elapsed = System.nanoTime() - start;
        Map<String, Long> after = CassandraTableCounts.snapshot(cassandra);
        System.out.printf(Locale.ROOT, "%n%s: %d commands in %.1f s (on a shared machine: timing only as a hint)%n",
            name, repeat, elapsed / 1e9);
        double reads = 0;
        double writes = 0;
        Map<String, Double> perCommand = new TreeMap<>();
        for (Map.Entry<String, Long> entry : after.entrySet()) {
            if (background(entry.getKey())) {
                continue;
            }
            double delta = entry.getValue() - before.getOrDefault(entry.getKey(), 0L)
                - backgroundPerNano.getOrDefault(entry.getKey(), 0.0) * elapsed;
            double per = delta / repeat;
            if (Math.abs(per) >= 0.005) {
                perCommand.put(entry.getKey(), per);
            }
        }
        for (Map.Entry<String, Double> entry : perCommand.entrySet()) {
            String[] parts = entry.getKey().split("/", 2);
            double per = entry.getValue();
            if (perCommandDivisor > 1) {
                System.out.printf(Locale.ROOT, "  %-6s %-50s %10.2f per command %8.3f per message%n",
                    parts[0], parts[1], per, per / perCommandDivisor);
            } else {
                System.out.printf(Locale.ROOT, "  %-6s %-50s %10.2f per command%n", parts[0], parts[1], per);
            }
            if (parts[0].equals("read")) {
                reads += per;
            } else {
                writes += per;
            }
        }
        summary.put(name, String.format(Locale.ROOT, "%-14s %9.2f reads %9.2f writes%s  (%.1f ms per command)",
            name, reads, writes,
            perCommandDivisor > 1 ? String.format(Locale.ROOT, "  = %.3f reads %.3f writes per message",
                reads / perCommandDivisor, writes / perCommandDivisor) : "",
            elapsed / 1e6 / repeat));
    }

    /**
     * Tables no IMAP command touches, written on timers (the queue's polls and leases, the routing table and spam
     * threshold polls, Cassandra's size estimates): their rate varies, so subtracting it leaves noise of either sign.
     */
    private static boolean background(String key) {
        return key.contains(".gateway_queue") || key.contains(".gateway_routing") || key.contains(".gateway_spam")
            || key.endsWith("system.size_estimates") || key.endsWith("system.table_estimates");
    }

    private static void expectOk(String tagged) throws IOException {
        if (!tagged.split(" ", 3)[1].equals("OK")) {
            throw new IOException("not OK: " + tagged);
        }
    }
}
