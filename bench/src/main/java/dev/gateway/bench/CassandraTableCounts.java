package dev.gateway.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;

/**
 * Which tables a Cassandra node read and wrote, and how often, between two moments: the per-table local read and
 * write counts of Cassandra's virtual tables ({@code system_views.local_read_latency}, {@code local_write_latency}),
 * so that a benchmark can say what one delivered message costs in statements, table by table (system.paxos counts
 * the lightweight transactions' own state), and in requests the gateway sent ({@code system_views.clients}).
 *
 * <pre>
 *   java -cp gateway-bench.jar:app/target/lib/* dev.gateway.bench.CassandraTableCounts 127.0.0.1:9042 save counts.txt
 *   ... load ...
 *   java ... CassandraTableCounts 127.0.0.1:9042 diff counts.txt MESSAGES
 * </pre>
 */
public final class CassandraTableCounts {

    private CassandraTableCounts() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: CassandraTableCounts HOST:PORT save FILE | HOST:PORT diff FILE MESSAGES");
            System.exit(2);
        }
        String[] hostPort = args[0].split(":");
        Map<String, Long> now;
        try (CqlSession session = CqlSession.builder()
                .addContactPoint(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])))
                .withLocalDatacenter("datacenter1")
                .build()) {
            now = snapshot(session);
        }
        Path file = Path.of(args[2]);
        if (args[1].equals("save")) {
            Files.writeString(file, now.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining("\n", "", "\n")));
            return;
        }
        Map<String, Long> before = Files.readAllLines(file).stream().map(line -> line.split(" "))
            .collect(Collectors.toMap(parts -> parts[0], parts -> Long.parseLong(parts[1])));
        double messages = Double.parseDouble(args[3]);
        System.out.printf(Locale.ROOT, "%-8s %-55s %10s %12s%n", "op", "table", "count", "per message");
        double reads = 0;
        double writes = 0;
        for (Map.Entry<String, Long> entry : now.entrySet()) {
            long delta = entry.getValue() - before.getOrDefault(entry.getKey(), 0L);
            if (delta > 0) {
                String[] parts = entry.getKey().split("/", 2);
                System.out.printf(Locale.ROOT, "%-8s %-55s %10d %12.2f%n", parts[0], parts[1], delta, delta / messages);
                if (parts[0].equals("read")) {
                    reads += delta / messages;
                } else if (parts[0].equals("write")) {
                    writes += delta / messages;
                }
            }
        }
        System.out.printf(Locale.ROOT, "per message: %.2f local reads, %.2f local writes%n", reads, writes);
    }

    /**
     * Every table's local read and write count so far, keyed {@code read/keyspace.table}, {@code write/...}, and the
     * CQL requests the node has been sent on the connections open now ({@code requests/clients}).
     */
    static Map<String, Long> snapshot(CqlSession session) {
        Map<String, Long> now = new TreeMap<>();
        now.putAll(counts(session, "local_read_latency", "read"));
        now.putAll(counts(session, "local_write_latency", "write"));
        now.put("requests/clients", requests(session));
        return now;
    }

    /**
     * The requests of the gateway's connections: those bound to a keyspace, so not this tool's own, which is closed
     * before the next snapshot. A batch of statements is one request; a lightweight transaction is one request for
     * its several Paxos rounds.
     */
    private static long requests(CqlSession session) {
        long sum = 0;
        for (Row row : session.execute("SELECT keyspace_name, request_count FROM system_views.clients")) {
            if (row.getString("keyspace_name") != null) {
                sum += row.getLong("request_count");
            }
        }
        return sum;
    }

    private static Map<String, Long> counts(CqlSession session, String table, String op) {
        Map<String, Long> counts = new TreeMap<>();
        for (Row row : session.execute("SELECT keyspace_name, table_name, count FROM system_views." + table)) {
            counts.put(op + "/" + row.getString("keyspace_name") + "." + row.getString("table_name"), row.getLong("count"));
        }
        return counts;
    }
}
