package dev.gateway.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The spam filter's verdicts on a real corpus, run by {@code bench/spam-corpus}, which starts the gateway with one engine
 * and then the other.
 *
 * <pre>
 *   SpamCorpus send  --engine NAME --corpus DIR --per-group N --port P --webadmin URL --log FILE --recipient R --out CSV
 *   SpamCorpus table CSV
 * </pre>
 *
 * {@code send} sends the corpus's messages to the MX port one at a time, an SMTP session each, and appends one CSV
 * line per message: engine, group, class, file, verdict, score, tests, reply. One at a time, so that the verdict
 * counters' difference around a message is that message's verdict.
 * {@code table} counts the lines per engine and class, and per engine and group.
 */
public final class SpamCorpus {

    /** Verdict columns, in the table's order: the filter's verdicts, then what the filter did not judge. */
    private static final List<String> COLUMNS = List.of("clean", "tagged", "quarantine", "rejected", "unchecked", "other");
    private static final String HEADER = "engine,group,class,file,verdict,score,tests,reply";

    private SpamCorpus() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("table")) {
            System.out.print(table(Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8)));
            return;
        }
        if (args.length == 0 || !args[0].equals("send")) {
            System.err.println("usage: SpamCorpus send --engine NAME --corpus DIR --per-group N --port P --webadmin URL"
                + " --log FILE --recipient R --out CSV | SpamCorpus table CSV");
            System.exit(2);
        }
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        send(options);
    }

    private static void send(Map<String, String> options) throws Exception {
        String engine = options.get("engine");
        int port = Integer.parseInt(options.get("port"));
        String recipient = options.get("recipient");
        Path out = Path.of(options.get("out"));
        List<CorpusMessage> messages = new SpamAssassinPublicCorpus(Path.of(options.get("corpus")))
            .messages(Integer.parseInt(options.get("per-group")));
        SpamVerdictCounters counters = new SpamVerdictCounters(options.get("webadmin"));
        GatewayLogTail log = new GatewayLogTail(Path.of(options.get("log")));
        if (!Files.exists(out)) {
            Files.writeString(out, HEADER + "\n");
        }
        long started = System.nanoTime();
        try (PrintWriter csv = new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8, StandardOpenOption.APPEND))) {
            for (CorpusMessage message : messages) {
                Map<String, Double> before = counters.read();
                SmtpSession.Reply reply;
                // A session per message: whatever one message does to a session cannot shift the next one's replies.
                try (SmtpSession session = SmtpSession.open("127.0.0.1", port, "corpus.example", 120_000)) {
                    reply = session.send(message.sender(), recipient, message.content());
                } catch (IOException e) {
                    reply = new SmtpSession.Reply("connection", 0, String.valueOf(e.getMessage()));
                }
                String verdict = verdict(SpamVerdictCounters.risen(before, counters.read()));
                GatewayLogTail.Scan scan = log.next();
                csv.println(String.join(",", engine, message.group(), message.kind(), message.name(), verdict, scan.score(),
                    quoted(scan.tests()), quoted(reply.code() + " " + reply.text() + " (" + reply.stage() + ")")));
                csv.flush();
            }
        }
        System.out.printf("%s: %d messages in %.0f s%n", engine, messages.size(), (System.nanoTime() - started) / 1e9);
    }

    /**
     * What happened to one message: the verdict the filter counted; "other" when it judged nothing (refused before
     * the filter ran, or not scanned) or gave one that is not a column (a 451 deferral).
     */
    static String verdict(String counted) {
        if (counted != null && COLUMNS.contains(counted)) {
            return counted;
        }
        return "other";
    }

    static String table(List<String> csvLines) {
        Map<String, Map<String, int[]>> byClass = new TreeMap<>();
        Map<String, Map<String, int[]>> byGroup = new TreeMap<>();
        for (String line : csvLines) {
            if (line.isBlank() || line.startsWith("engine,")) {
                continue;
            }
            String[] fields = line.split(",", 6);
            int column = COLUMNS.indexOf(fields[4]);
            byClass.computeIfAbsent(fields[0], engine -> new LinkedHashMap<>())
                .computeIfAbsent(fields[2], kind -> new int[COLUMNS.size()])[column]++;
            byGroup.computeIfAbsent(fields[0], engine -> new TreeMap<>())
                .computeIfAbsent(fields[1], group -> new int[COLUMNS.size()])[column]++;
        }
        StringBuilder table = new StringBuilder();
        table.append("| engine | class | messages | clean | tagged | quarantined | rejected (550 5.7.1) | unchecked | other |\n");
        table.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        rows(table, byClass, List.of("ham", "spam"));
        table.append("\nBy the corpus's groups:\n\n");
        table.append("| engine | group | messages | clean | tagged | quarantined | rejected (550 5.7.1) | unchecked | other |\n");
        table.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        rows(table, byGroup, null);
        return table.toString();
    }

    private static void rows(StringBuilder table, Map<String, Map<String, int[]>> counts, List<String> order) {
        counts.forEach((engine, rows) -> (order == null ? List.copyOf(rows.keySet()) : order).forEach(key -> {
            int[] row = rows.get(key);
            if (row == null) {
                return;
            }
            int total = 0;
            for (int count : row) {
                total += count;
            }
            table.append("| ").append(engine).append(" | ").append(key).append(" | ").append(total);
            for (int count : row) {
                table.append(" | ").append(count).append(total == 0 ? "" : String.format(" (%.0f %%)", 100.0 * count / total));
            }
            table.append(" |\n");
        }));
    }

    private static String quoted(String text) {
        return "\"" + text.replace("\"", "'").replace("\r", " ").replace("\n", " ") + "\"";
    }
}
