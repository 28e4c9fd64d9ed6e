package dev.gateway.bench;

import java.util.Comparator;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where one server process's CPU went in the measured phase, by thread pool ({@link ServerMeter#threadSecondsByRoot}),
 * in milliseconds per delivered message, largest first: which of a JVM's collectors, request threads, compaction or
 * commit-log writer a change moved, without a profiler's cost. Pools under 0.05 ms a message are summed as "others";
 * what the process tree used in threads or processes that ended during the phase (Postfix's per-job processes, a
 * pool's retired workers) is not in any pool, and is the process tree's total less the pools.
 */
final class ThreadPoolsCpu {

    private static final double SHOWN_FROM_MS = 0.05;

    private ThreadPoolsCpu() {
    }

    static String describe(Map<String, Double> before, Map<String, Double> after, double treeSeconds, long delivered) {
        Set<String> pools = new HashSet<>(after.keySet());
        pools.addAll(before.keySet());
        Map<String, Double> msPerMessage = pools.stream().collect(Collectors.toMap(pool -> pool,
            pool -> Math.max(0, after.getOrDefault(pool, 0.0) - before.getOrDefault(pool, 0.0)) * 1000 / delivered));
        double others = msPerMessage.values().stream().filter(ms -> ms < SHOWN_FROM_MS).mapToDouble(ms -> ms).sum();
        String shown = msPerMessage.entrySet().stream()
            .filter(pool -> pool.getValue() >= SHOWN_FROM_MS)
            .sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()))
            .map(pool -> String.format(Locale.ROOT, "%s %.2f", pool.getKey(), pool.getValue()))
            .collect(Collectors.joining(", "));
        double ended = treeSeconds * 1000 / delivered
            - msPerMessage.values().stream().mapToDouble(ms -> ms).sum();
        return String.format(Locale.ROOT,
            "  by thread pool, ms per delivered message: %s, others %.2f, ended threads and processes %.2f",
            shown, others, Math.max(0, ended));
    }
}
