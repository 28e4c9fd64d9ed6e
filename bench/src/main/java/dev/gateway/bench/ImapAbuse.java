package dev.gateway.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hostile clients of the fairness cell: the IMAP attacks of e2e-tests' ProtocolAbuseIT, kept up for the whole
 * run against the port under test, each from its own loopback address (so a per-address limit meets the attacker,
 * not the normal clients on 127.0.0.1):
 * <ul>
 * <li>30 connections from 127.0.0.11 each announce {@code LOGIN {9000000}} before any login and send all but the last
 * 100 KB of it, then hold;</li>
 * <li>2 connections from 127.0.0.12, logged in as a normal user, send deeply nested commands back to back:
 * {@code SEARCH} with 5000 parentheses, {@code SEARCH} with 5000 NOTs, {@code FETCH} with 5000 parentheses;</li>
 * <li>a flood from 127.0.0.10: 60 connections opened at once and kept open, each trickling one byte a second of a
 * command line it never ends.</li>
 * </ul>
 * A connection the server drops is opened again a second later, so the pressure stays on.
 *
 * <p>{@code attacks} chooses which of them run ({@code hoard}, {@code nest}, {@code flood}; all by default), to tell
 * which one costs the normal clients most.
 */
final class ImapAbuse {

    private static final int HOARDED_LITERAL = 9_000_000;
    private static final int HOARDERS = 30;
    private static final int NESTERS = 2;
    private static final int FLOOD = 60;

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final List<Thread> threads = new ArrayList<>();
    private final List<MailClient> open = new CopyOnWriteArrayList<>();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong nestedAnswers = new AtomicLong();
    private final Set<String> attacks;
    private volatile boolean running = true;

    static final Set<String> ALL_ATTACKS = Set.of("hoard", "nest", "flood");

    ImapAbuse(String host, int port, String user, String password, Set<String> attacks) {
        if (!ALL_ATTACKS.containsAll(attacks) || attacks.isEmpty()) {
            throw new IllegalArgumentException("attacks are some of " + ALL_ATTACKS + ", not " + attacks);
        }
        this.attacks = Set.copyOf(attacks);
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
    }

    void start() throws IOException {
        InetAddress hoarder = InetAddress.getByName("127.0.0.11");
        InetAddress nester = InetAddress.getByName("127.0.0.12");
        InetAddress flooder = InetAddress.getByName("127.0.0.10");
        for (int i = 0; i < HOARDERS && attacks.contains("hoard"); i++) {
            spawn("hoarder-" + i, () -> hoard(hoarder));
        }
        for (int i = 0; i < NESTERS && attacks.contains("nest"); i++) {
            spawn("nester-" + i, () -> nest(nester));
        }
        for (int i = 0; i < FLOOD && attacks.contains("flood"); i++) {
            spawn("flood-" + i, () -> trickle(flooder));
        }
    }

    /** Stops every hostile client; returns what they did, for the report. */
    String stop() throws InterruptedException {
        running = false;
        for (MailClient client : open) {
            client.close();
        }
        for (Thread thread : threads) {
            thread.interrupt();
            thread.join(5_000);
        }
        return "attacks=" + String.join("+", new TreeSet<>(attacks)) + " abuse_reconnects=" + reconnects.get() + " abuse_nested_answers=" + nestedAnswers.get();
    }

    private interface Attack {
        void run(MailClient client) throws IOException, InterruptedException;
    }

    private void spawn(String name, Runnable body) {
        Thread thread = new Thread(body, "abuse-" + name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private Runnable loop(InetAddress source, Attack attack) {
        return () -> {
            while (running) {
                try (MailClient client = MailClient.connect(host, port, source, 120_000)) {
                    open.add(client);
                    try {
                        client.readLine();
                        attack.run(client);
                    } finally {
                        open.remove(client);
                    }
                } catch (IOException e) {
                    // dropped by the server (or refused): come back, as an attacker would
                } catch (InterruptedException e) {
                    return;
                }
                if (running) {
                    reconnects.incrementAndGet();
                    try {
                        Thread.sleep(1_000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        };
    }

    private void hoard(InetAddress source) {
        loop(source, client -> {
            client.send("h1 LOGIN {" + HOARDED_LITERAL + "}");
            String line = client.readLine();
            if (!line.startsWith("+")) {
                return;
            }
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'x');
            for (int sent = 0; sent < HOARDED_LITERAL - 100_000 && running; sent += chunk.length) {
                client.sendRaw(chunk);
            }
            while (running) {
                client.readLine();  // holds until the server gives up on it (or the run ends)
            }
        }).run();
    }

    private void nest(InetAddress source) {
        String[] commands = {
            "SEARCH " + "(".repeat(5_000) + "ALL" + ")".repeat(5_000),
            "SEARCH " + "NOT ".repeat(5_000) + "ALL",
            "FETCH 1 " + "(".repeat(5_000) + "FLAGS" + ")".repeat(5_000),
        };
        loop(source, client -> {
            if (!client.imap("LOGIN " + user + " " + password).contains(" OK")) {
                return;
            }
            client.imap("SELECT INBOX");
            for (int i = 0; running; i++) {
                client.imap(commands[i % commands.length]);
                nestedAnswers.incrementAndGet();
            }
        }).run();
    }

    private void trickle(InetAddress source) {
        byte[] line = "f1 LOGIN slowloris@flood.example notreallyapassword".getBytes(StandardCharsets.US_ASCII);
        loop(source, client -> {
            for (int i = 0; running; i = (i + 1) % line.length) {
                client.sendRaw(new byte[] {line[i]});
                Thread.sleep(1_000);
            }
        }).run();
    }
}
