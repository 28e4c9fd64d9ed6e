package dev.gateway.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;

/**
 * What a server costs while it has nothing to do: the CPU of each process tree per second, by thread (from
 * {@code /proc/PID/task/TID/stat}, grouped by thread name with digits dropped, so that a pool's threads count as one),
 * and, with {@code --cassandra}, Cassandra's local reads and writes per second, table by table
 * ({@code system_views.local_read_latency} / {@code local_write_latency}, as {@link CassandraTableCounts}).
 *
 * <pre>
 *   java -cp gateway-bench.jar:app/target/lib/* dev.gateway.bench.IdleCost --pids GATEWAY,CASSANDRA --seconds 60 \
 *       --samples 3 [--cassandra 127.0.0.1:9042] [--label NAME]
 * </pre>
 *
 * <p>Prints, per sample, one line per process ({@code idle <label> pid=... cpu_ms_per_s=...}) and the statements per
 * second; after the samples, the threads that used the most CPU and the tables read or written, over all samples.
 */
public final class IdleCost {

    private static final int TOP_THREADS = 15;

    private IdleCost() {
    }

    public static void main(String[] args) throws Exception {
        List<Long> pids = new ArrayList<>();
        int seconds = 60;
        int samples = 3;
        String cassandra = null;
        String label = "server";
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--pids" -> Stream.of(args[i + 1].split(",")).map(Long::parseLong).forEach(pids::add);
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--samples" -> samples = Integer.parseInt(args[i + 1]);
                case "--cassandra" -> cassandra = args[i + 1];
                case "--label" -> label = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        long ticksPerSecond = Long.parseLong(new String(new ProcessBuilder("getconf", "CLK_TCK").start()
            .getInputStream().readAllBytes()).trim());
        List<Map<String, Long>> threadTotals = new ArrayList<>();
        pids.forEach(pid -> threadTotals.add(new HashMap<>()));
        Map<String, Long> statementTotals = new TreeMap<>();
        // One session for the whole run, opened before the first sample: opening one costs Cassandra reads and CPU.
        CqlSession session = cassandra == null ? null : session(cassandra);
        for (int sample = 1; sample <= samples; sample++) {
            Map<String, Long> countsBefore = session == null ? Map.of() : tableCounts(session);
            List<Map<Long, ThreadTime>> before = pids.stream().map(IdleCost::threads).toList();
            long start = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            List<Map<Long, ThreadTime>> after = pids.stream().map(IdleCost::threads).toList();
            Map<String, Long> countsAfter = session == null ? Map.of() : tableCounts(session);
            double elapsed = (System.nanoTime() - start) / 1e9;
            for (int p = 0; p < pids.size(); p++) {
                long ticks = 0;
                for (Map.Entry<Long, ThreadTime> entry : after.get(p).entrySet()) {
                    ThreadTime earlier = before.get(p).get(entry.getKey());
                    // A thread started during the sample counts from zero; one that ended is lost (rare at idle).
                    long used = entry.getValue().ticks() - (earlier == null ? 0 : earlier.ticks());
                    ticks += used;
                    threadTotals.get(p).merge(entry.getValue().group(), used, Long::sum);
                }
                System.out.printf(Locale.ROOT, "idle %s sample=%d pid=%d cpu_ms_per_s=%.1f%n", label, sample, pids.get(p),
                    ticks * 1000.0 / ticksPerSecond / elapsed);
            }
            if (session != null) {
                long reads = 0;
                long writes = 0;
                for (Map.Entry<String, Long> entry : countsAfter.entrySet()) {
                    long delta = entry.getValue() - countsBefore.getOrDefault(entry.getKey(), 0L);
                    if (delta > 0) {
                        statementTotals.merge(entry.getKey(), delta, Long::sum);
                        if (entry.getKey().startsWith("read/")) {
                            reads += delta;
                        } else {
                            writes += delta;
                        }
                    }
                }
                System.out.printf(Locale.ROOT, "idle %s sample=%d local_reads_per_s=%.2f local_writes_per_s=%.2f%n", label,
                    sample, reads / elapsed, writes / elapsed);
            }
        }
        if (session != null) {
            session.close();
        }
        double total = (double) samples * seconds;
        for (int p = 0; p < pids.size(); p++) {
            System.out.printf(Locale.ROOT, "threads of pid %d (CPU ms per second, over %d samples):%n", pids.get(p), samples);
            threadTotals.get(p).entrySet().stream()
                .filter(entry -> entry.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                .limit(TOP_THREADS)
                .forEach(entry -> System.out.printf(Locale.ROOT, "  %-20s %7.2f%n", entry.getKey(),
                    entry.getValue() * 1000.0 / ticksPerSecond / total));
        }
        if (cassandra != null) {
            System.out.println("Cassandra's local operations per second, by table:");
            statementTotals.forEach((key, count) -> System.out.printf(Locale.ROOT, "  %-70s %7.2f%n", key, count / total));
        }
    }

    private record ThreadTime(String group, long ticks) {
    }

    /** The threads of a process and its descendants, by thread id. */
    private static Map<Long, ThreadTime> threads(long root) {
        Map<Long, ThreadTime> threads = new HashMap<>();
        Stream.concat(Stream.of(root), ProcessHandle.of(root).stream().flatMap(ProcessHandle::descendants).map(ProcessHandle::pid))
            .forEach(pid -> {
                try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                    tasks.forEach(task -> {
                        String stat = read(task.resolve("stat"));
                        if (!stat.isEmpty()) {
                            String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                            // fields[0] is field 3 (state): utime and stime are fields 14 and 15.
                            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                            threads.put(Long.parseLong(task.getFileName().toString()),
                                new ThreadTime(name.replaceAll("[0-9]+", "N"), ticks));
                        }
                    });
                } catch (IOException e) {
                    // The process ended between listing and reading.
                }
            });
        return threads;
    }

    private static CqlSession session(String hostPort) {
        String[] parts = hostPort.split(":");
        return CqlSession.builder()
            .addContactPoint(new InetSocketAddress(parts[0], Integer.parseInt(parts[1])))
            .withLocalDatacenter("datacenter1")
            .build();
    }

    private static Map<String, Long> tableCounts(CqlSession session) {
        Map<String, Long> counts = new TreeMap<>();
        for (String table : List.of("local_read_latency", "local_write_latency")) {
            String op = table.equals("local_read_latency") ? "read/" : "write/";
            for (Row row : session.execute("SELECT keyspace_name, table_name, count FROM system_views." + table)) {
                counts.put(op + row.getString("keyspace_name") + "." + row.getString("table_name"), row.getLong("count"));
            }
        }
        return counts;
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            return "";
        }
    }
}
