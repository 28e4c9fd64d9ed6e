package dev.gateway.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The table of bench/compare-imap.sh, from the CSV {@link MailLoad} appends to: per cell (protocol, clients, quiet or
 * under attack) one line per server with its throughput against Dovecot's, latencies, CPU per operation and peak
 * RSS; then the abuse cells' p99 against the quiet run of the same server.
 *
 * <pre>java -cp gateway-bench.jar dev.gateway.bench.MailReport imap-results.csv</pre>
 */
public final class MailReport {

    private record Row(Map<String, String> fields) {
        String get(String name) {
            return fields.getOrDefault(name, "");
        }

        double number(String name) {
            String value = get(name);
            return value.isEmpty() ? Double.NaN : Double.parseDouble(value);
        }

        String cell() {
            return get("mode") + " " + get("clients") + " clients " + get("load");
        }
    }

    public static void main(String[] args) throws Exception {
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        String[] header = lines.get(0).split(",");
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] values = line.split(",", -1);
            Map<String, String> fields = new LinkedHashMap<>();
            for (int i = 0; i < header.length && i < values.length; i++) {
                fields.put(header[i], values[i]);
            }
            rows.add(new Row(fields));
        }
        Map<String, List<Row>> cells = new LinkedHashMap<>();
        for (Row row : rows) {
            if (row.get("kind").equals("ALL")) {
                cells.computeIfAbsent(row.cell(), k -> new ArrayList<>()).add(row);
            }
        }
        for (Map.Entry<String, List<Row>> cell : cells.entrySet()) {
            boolean imap = cell.getKey().startsWith("imap");
            System.out.println(cell.getKey());
            System.out.printf("  %-16s %9s %9s %8s %8s %8s %12s %12s %10s %8s %7s %7s%n", "server", "sessions/s",
                "ops/s", "x dovecot", "p50 ms", "p99 ms", imap ? "hdrs p99 ms" : "RETR/s", imap ? "body p99 ms" : "RETR p99 ms",
                "sess p99 ms", "CPU ms/op", "RSS MB", "errors");
            double dovecot = cell.getValue().stream().filter(r -> r.get("server").equals("dovecot"))
                .mapToDouble(r -> r.number("ops_per_s")).findFirst().orElse(Double.NaN);
            for (Row all : cell.getValue()) {
                Row first = kind(rows, all, imap ? "FETCH_HEADERS" : "RETR");
                Row second = kind(rows, all, imap ? "FETCH_BODY" : "RETR");
                System.out.printf(Locale.ROOT, "  %-16s %9.1f %9.1f %8.2f %8.2f %8.2f %12.2f %12.2f %10.1f %8.3f %7.0f %7.0f%n",
                    all.get("server"), all.number("sessions_per_s"), all.number("ops_per_s"),
                    all.number("ops_per_s") / dovecot, all.number("p50_ms"), all.number("p99_ms"),
                    imap ? first.number("p99_ms") : first.number("ops_per_s"), second.number("p99_ms"),
                    all.number("session_p99_ms"), all.number("cpu_ms_per_op"), all.number("peak_rss_mb"),
                    all.number("errors"));
            }
            System.out.println();
        }
        System.out.println("fairness: the normal clients' p99 under attack against the quiet run (goal: <= 2x)");
        for (Row abuse : rows) {
            if (!abuse.get("kind").equals("ALL") || !abuse.get("load").equals("abuse")) {
                continue;
            }
            rows.stream().filter(r -> r.get("kind").equals("ALL") && r.get("load").equals("quiet")
                    && r.get("server").equals(abuse.get("server")) && r.get("mode").equals(abuse.get("mode"))
                    && r.get("clients").equals(abuse.get("clients")))
                .findFirst()
                .ifPresent(quiet -> System.out.printf(Locale.ROOT,
                    "  %-16s %s clients: p99 %.1f ms quiet, %.1f ms under attack (%.2fx); ops/s %.1f -> %.1f; %s%n",
                    abuse.get("server"), abuse.get("clients"), quiet.number("p99_ms"), abuse.number("p99_ms"),
                    abuse.number("p99_ms") / quiet.number("p99_ms"), quiet.number("ops_per_s"),
                    abuse.number("ops_per_s"), abuse.get("abuse")));
        }
    }

    private static Row kind(List<Row> rows, Row all, String kind) {
        return rows.stream().filter(r -> r.get("kind").equals(kind) && r.get("server").equals(all.get("server"))
                && r.cell().equals(all.cell()))
            .findFirst().orElse(new Row(Map.of()));
    }
}
