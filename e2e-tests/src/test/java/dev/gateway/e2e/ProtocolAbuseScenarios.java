package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.Mailboxes;
import dev.gateway.testkit.RawConnection;
import dev.gateway.testkit.SmtpSession;

/**
 * IMAP and POP3 abuse, connection floods and slow clients against the running gateway: each gets its refusal or a
 * disconnect, the gateway's memory stays bounded, and a normal client completes a whole transaction (SMTP in, IMAP
 * out) while the attack goes on.
 * {@link ProtocolAbuseIT} runs these on the memory profile, {@link ProtocolAbuseClusterIT} on the shipped default,
 * the cluster profile (mailboxes and users in Cassandra), where IMAP commands wait on Cassandra.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ProtocolAbuseScenarios {

    static final String PASSWORD = "protocol abuse test password";
    private static final String USER = "abuse@" + GatewayProcess.DOMAIN;
    private static final Pattern CONTINUATION = Pattern.compile("(?m)^\\+ [^\\r\\n]*\\r\\n");
    /** Literals of this size were kept whole in the heap before imapserver.xml set inMemorySizeLimit (10M then). */
    private static final int HOARDED_LITERAL = 9_000_000;
    private static final int HOARDING_CONNECTIONS = 30;
    /** Generous: 30 hoarded literals took the resident memory up by more than 400 MB before the fix. */
    private static final long MAX_GROWTH_MB = 250;
    /** invalidCommandLimit's default (imapserver.xml): commands answered BAD before the server says BYE. */
    private static final int INVALID_COMMAND_LIMIT = 20;
    /** Malformed in different ways, each answered BAD: over-deep nesting, a missing argument, a broken list. */
    private static final List<String> MALFORMED = List.of(
        "SEARCH " + "(".repeat(5_000) + "ALL" + ")".repeat(5_000),
        "FETCH 1 " + "(".repeat(5_000) + "FLAGS" + ")".repeat(5_000),
        "SEARCH " + "NOT ".repeat(5_000) + "ALL",
        "FETCH",
        "STORE 1 +FLAGS (\\Seen");

    /** The one gateway of the concrete class, started once for all its tests. */
    abstract GatewayExtension gateway();

    @BeforeAll
    void setUp() throws Exception {
        gateway().process().addUser(USER, PASSWORD);
        sendNormalMessage("warm-up", InetAddress.getLoopbackAddress());
        await().atMost(Duration.ofSeconds(30)).until(() -> gateway().webAdmin().deliveredCount(USER) == 1);
    }

    @Test
    void anImapLiteralBeyondTheLimitIsRefusedEvenBeforeLoginAndTheSessionGoesOn() throws Exception {
        try (RawConnection imap = imaps()) {
            imap.send("a1 LOGIN {2000000000}\r\n");
            // James still invites the literal ("+ Ok") and refuses it at its first bytes: nothing is kept.
            imap.readUntil(CONTINUATION, Duration.ofSeconds(20));
            imap.send("x".repeat(1_000) + "\r\n");
            assertThat(imap.lineStartingWith("a1 ")).contains("a1 BAD");
            imap.send("a2 CAPABILITY\r\n");
            assertThat(imap.lineStartingWith("a2 ")).contains("a2 OK");
            login(imap);
            imap.send("a4 APPEND INBOX {30000000}\r\n");
            imap.readUntil(CONTINUATION, Duration.ofSeconds(20));
            imap.send("x".repeat(1_000) + "\r\n");
            assertThat(imap.lineStartingWith("a4 ")).contains("a4 BAD");
            String message = "Subject: appended\r\n\r\nsmall enough\r\n";
            imap.send("a5 APPEND INBOX {" + message.length() + "}\r\n");
            imap.readUntil(CONTINUATION, Duration.ofSeconds(20));
            imap.send(message + "\r\n");
            assertThat(imap.lineStartingWith("a5 ")).contains("a5 OK");
        }
    }

    @Test
    void deeplyNestedImapCommandsAreRefusedOrDisconnectedAndTheServerGoesOn() throws Exception {
        try (RawConnection imap = imaps()) {
            login(imap);
            imap.send("a4 SELECT INBOX\r\n");
            assertThat(imap.lineStartingWith("a4 ")).contains("a4 OK");
            imap.send("a5 FETCH 1 " + "(".repeat(5_000) + "FLAGS" + ")".repeat(5_000) + "\r\n");
            assertThat(imap.lineStartingWith("a5 ")).contains("a5 BAD");
            // James 3.8.1's SEARCH parser recursed once per parenthesis, NOT or OR and overflowed the stack of the
            // event loop serving many connections; the bounded parser refuses and the session goes on.
            imap.send("a6 SEARCH " + "(".repeat(5_000) + "ALL" + ")".repeat(5_000) + "\r\na7 NOOP\r\n");
            assertThat(imap.lineStartingWith("a6 ")).contains("a6 BAD");
            assertThat(imap.lineStartingWith("a7 ")).contains("a7 OK");
            imap.send("a8 SEARCH " + "NOT ".repeat(5_000) + "ALL\r\n");
            assertThat(imap.lineStartingWith("a8 ")).contains("a8 BAD");
            imap.send("a9 SEARCH OR SEEN (NOT (FLAGGED DELETED))\r\n");
            assertThat(imap.lineStartingWith("a9 ")).contains("a9 OK");
        }
        assertThat(Files.readString(gateway().process().log())).doesNotContain("StackOverflowError");
        try (RawConnection imap = imaps()) {
            login(imap);
            imap.send("a4 STATUS INBOX (MESSAGES)\r\n");
            assertThat(imap.lineStartingWith("a4 ")).contains("a4 OK");
        }
    }

    @Test
    void aClientWhoseCommandsAreAnsweredBadTooOftenIsToldByeAndDisconnected() throws Exception {
        try (RawConnection imap = imaps()) {
            answeredBad(imap, INVALID_COMMAND_LIMIT - 1);
            // The last one the budget allows is still answered, then the server says why it hangs up, and does.
            int last = INVALID_COMMAND_LIMIT;
            imap.send("b" + last + " " + MALFORMED.get(last % MALFORMED.size()) + "\r\n");
            assertThat(imap.lineStartingWith("b" + last + " ")).contains("b" + last + " BAD");
            String rest = imap.readUntilClosed(Duration.ofSeconds(20));
            assertThat(rest).startsWith("* BYE ").contains("invalid commands");
            assertThat(imap.closedByServer()).isTrue();
        }
        // One line names the client (the address as Netty prints it: "localhost/127.0.0.1:port").
        assertThat(Files.readString(gateway().process().log())).containsPattern(
            "Closing the IMAP connection of \\S*127\\.0\\.0\\.1:\\d+ "
                + Pattern.quote("(" + USER + "): " + INVALID_COMMAND_LIMIT + " commands answered BAD"));
    }

    @Test
    void aClientWithFewerBadAnswersThanTheLimitKeepsWorking() throws Exception {
        try (RawConnection imap = imaps()) {
            answeredBad(imap, INVALID_COMMAND_LIMIT - 1);
            for (int i = 1; i <= 2 * INVALID_COMMAND_LIMIT; i++) {
                imap.send("c" + i + (i % 2 == 0 ? " NOOP" : " FETCH 1 (FLAGS)") + "\r\n");
                assertThat(imap.lineStartingWith("c" + i + " ")).contains("c" + i + " OK");
            }
            imap.send("c0 LOGOUT\r\n");
            assertThat(imap.lineStartingWith("c0 ")).contains("c0 OK");
        }
    }

    @Test
    void hundredsOfPipelinedImapCommandsAreAnsweredOnceEachAndInOrder() throws Exception {
        try (RawConnection imap = imaps()) {
            login(imap);
            // Every 50 commands the mailbox is closed and selected again: the FETCH between must be refused (not
            // selected), the one after answered, each judged in the state the commands before it left behind.
            StringBuilder pipelined = new StringBuilder("p0 SELECT INBOX\r\n");
            List<String> expected = new ArrayList<>(List.of("p0 OK"));
            int commands = 300;
            for (int i = 1; i < commands; i++) {
                String command = switch (i % 50) {
                    case 10 -> "CLOSE";
                    case 11 -> "FETCH 1 (FLAGS)";
                    case 12 -> "SELECT INBOX";
                    default -> switch (i % 3) {
                        case 0 -> "NOOP";
                        case 1 -> "FETCH 1 (FLAGS BODY.PEEK[HEADER])";
                        default -> "SEARCH NOT DELETED";
                    };
                };
                pipelined.append("p").append(i).append(' ').append(command).append("\r\n");
                expected.add("p" + i + (i % 50 == 11 ? " NO" : " OK"));
            }
            // One write: far more commands than the server reads ahead (pipelineLimit, 32), so it must stop
            // reading this client and resume once it has answered.
            imap.send(pipelined.toString());
            String replies = imap.readUntil(Pattern.compile("(?m)^p" + (commands - 1) + " [^\r\n]*\r\n"), Duration.ofSeconds(60));
            List<String> tagged = replies.lines().filter(line -> line.matches("p\\d+ .*")).toList();
            assertThat(tagged).hasSize(commands);
            for (int i = 0; i < commands; i++) {
                assertThat(tagged.get(i)).startsWith(expected.get(i));
            }
        }
    }

    @Test
    void pop3AbuseGetsErrAndTheSessionGoesOn() throws Exception {
        try (RawConnection pop3 = RawConnection.openTls(gateway().process(), GatewayProcess.Port.POP3S, gateway().tls())) {
            pop3.lineStartingWith("+OK");
            pop3.send("USER " + USER + "\r\nPASS " + PASSWORD + "\r\n");
            pop3.lineStartingWith("+OK Welcome");
            for (String abuse : List.of("RETR 0", "DELE -1", "LIST abc", "UIDL 99999999999", "TOP 1 -5", "RETR",
                    "X".repeat(10_000), "\0\u0001\u0002", "\u00ff\u00fe", "APOP", "AUTH GARBAGE")) {
                pop3.send(abuse + "\r\n");
                assertThat(pop3.lineStartingWith("-ERR")).as(abuse.length() > 40 ? "long line" : abuse).isNotEmpty();
            }
            pop3.send("STAT\r\n");
            assertThat(pop3.lineStartingWith("+OK")).isNotEmpty();
        }
        try (RawConnection pop3 = RawConnection.open(gateway().process(), GatewayProcess.Port.POP3)) {
            pop3.lineStartingWith("+OK");
            pop3.send("GARBAGE\r\n".repeat(1_000) + "CAPA\r\n");
            assertThat(pop3.readUntil(Pattern.compile("(?m)^\\.\\r\\n"), Duration.ofSeconds(30))).contains("+OK");
        }
        assertThat(Files.readString(gateway().process().log())).doesNotContain("ArrayIndexOutOfBoundsException");
    }

    @Test
    void underAttackMemoryStaysBoundedAndANormalClientGetsThrough() throws Exception {
        long baseline = ResidentMemory.megabytes(gateway().process());
        List<RawConnection> held = Collections.synchronizedList(new ArrayList<>());
        ExecutorService attackers = Executors.newFixedThreadPool(6);
        try {
            // A flood from one address: the listener's per-address limit (20) greets 20 and drops the rest.
            InetAddress flooder = InetAddress.getByName("127.0.0.10");
            int greeted = 0;
            List<RawConnection> flood = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                flood.add(RawConnection.openFrom(flooder, gateway().process(), GatewayProcess.Port.SMTP));
            }
            for (RawConnection connection : flood) {
                try {
                    connection.readUntil(RawConnection.SMTP_REPLY_END, Duration.ofSeconds(10));
                    greeted++;
                    held.add(connection);
                } catch (IOException dropped) {
                    connection.close();
                }
            }
            assertThat(greeted).as("greeted out of 60 from one address").isEqualTo(20);
            // The greeted ones turn slowloris: one byte per second each, never a full line.
            Future<?> slowloris = attackers.submit(() -> trickle(flood.stream().filter(held::contains).toList()));

            // Half-sent IMAP literals before any login, from another address.
            InetAddress hoarder = InetAddress.getByName("127.0.0.11");
            List<Future<?>> hoarding = new ArrayList<>();
            for (int i = 0; i < HOARDING_CONNECTIONS; i++) {
                hoarding.add(attackers.submit(() -> {
                    held.add(hoardLiteral(hoarder));
                    return null;
                }));
            }
            for (Future<?> hoard : hoarding) {
                hoard.get(120, TimeUnit.SECONDS);
            }
            long underAttack = ResidentMemory.megabytes(gateway().process());

            assertTimeoutPreemptively(Duration.ofSeconds(120),
                () -> sendNormalMessage("during the attack", InetAddress.getByName("127.0.0.2")));
            assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
                await().atMost(Duration.ofSeconds(60)).until(() -> gateway().webAdmin().deliveredCount(USER) >= 2);
                assertThat(Mailboxes.inbox(gateway().process(), gateway().tls(), USER, PASSWORD))
                    .anyMatch(raw -> raw.contains("Subject: during the attack"));
            });
            long peak = Math.max(underAttack, ResidentMemory.megabytes(gateway().process()));
            slowloris.cancel(true);
            System.out.printf("ProtocolAbuseIT: resident memory %d MB before the attack, %d MB under it (%d held connections)%n",
                baseline, peak, held.size());
            assertThat(peak - baseline).as("growth of resident memory under attack, MB").isLessThan(MAX_GROWTH_MB);
        } finally {
            attackers.shutdownNow();
            for (RawConnection connection : held) {
                connection.close();
            }
        }
    }

    /** Opens an IMAPS connection, announces a literal and sends all but the last 100 KB of it. */
    private RawConnection hoardLiteral(InetAddress source) throws Exception {
        RawConnection imap = RawConnection.openTlsFrom(source, gateway().process(), GatewayProcess.Port.IMAPS, gateway().tls());
        imap.lineStartingWith("* OK");
        imap.send("a1 LOGIN {" + HOARDED_LITERAL + "}\r\n");
        imap.readUntil(CONTINUATION, Duration.ofSeconds(30));
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'x');
        for (int sent = 0; sent < HOARDED_LITERAL - 100_000; sent += chunk.length) {
            imap.send(chunk);
        }
        return imap;
    }

    private void trickle(List<RawConnection> connections) {
        byte[] line = "EHLO slowloris.example".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try {
            for (int i = 0; !Thread.currentThread().isInterrupted(); i = (i + 1) % line.length) {
                for (RawConnection connection : connections) {
                    connection.send(new byte[] {line[i]});
                }
                Thread.sleep(1_000);
            }
        } catch (IOException | InterruptedException stopped) {
            // The test is over, or the server dropped a connection: either way the trickle ends.
        }
    }

    private void sendNormalMessage(String subject, InetAddress source) throws Exception {
        try (SmtpSession smtp = SmtpSession.connectFrom(source, gateway().process(), GatewayProcess.Port.SMTP, gateway().tls())) {
            smtp.ehlo("normal.example");
            assertThat(smtp.send("someone@sender.example", SmtpSession.message("someone@sender.example", USER, subject), USER))
                .startsWith("250");
        }
    }

    private RawConnection imaps() throws Exception {
        RawConnection imap = RawConnection.openTls(gateway().process(), GatewayProcess.Port.IMAPS, gateway().tls());
        imap.lineStartingWith("* OK");
        return imap;
    }

    private void login(RawConnection imap) throws Exception {
        imap.send("a3 LOGIN " + USER + " \"" + PASSWORD + "\"\r\n");
        assertThat(imap.lineStartingWith("a3 ")).contains("a3 OK");
    }

    /** Logs in, selects INBOX and sends {@code count} malformed commands (b1, b2, ...), each answered BAD. */
    private void answeredBad(RawConnection imap, int count) throws Exception {
        login(imap);
        imap.send("a4 SELECT INBOX\r\n");
        assertThat(imap.lineStartingWith("a4 ")).contains("a4 OK");
        for (int i = 1; i <= count; i++) {
            imap.send("b" + i + " " + MALFORMED.get(i % MALFORMED.size()) + "\r\n");
            assertThat(imap.lineStartingWith("b" + i + " ")).contains("b" + i + " BAD");
        }
    }
}
