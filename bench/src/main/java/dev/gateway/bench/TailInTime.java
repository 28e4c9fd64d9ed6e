package dev.gateway.bench;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Whether a cell's slowest accepts come together in time or spread through it. A stall (a collector's pause, a flush,
 * a lease renewal) makes the messages above the 99th percentile fall into a few seconds; waiting for a busy core
 * spreads them over the whole phase. Seconds are counted from the start of the measured phase, by when each message's
 * end of data was sent, and named in UTC wall-clock time as well, to be read against the servers' logs.
 */
record TailInTime(int slow, double p99Millis, int seconds, int secondsWithSlow, int worstCount, double shareInWorst,
                  List<Map.Entry<Integer, Integer>> worst, Instant phaseStart) {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    /**
     * {@code latencies[i]} is the accept latency of the message whose end of data was sent at {@code sentAt[i]};
     * {@code p99Millis} is the phase's 99th percentile of them.
     */
    static TailInTime of(long[] latencies, long[] sentAt, long phaseStartNanos, double p99Millis) {
        Instant wallStart = Instant.now().minusNanos(System.nanoTime() - phaseStartNanos);
        if (latencies.length == 0) {
            return new TailInTime(0, Double.NaN, 0, 0, 0, Double.NaN, List.of(), wallStart);
        }
        Map<Integer, Integer> slowBySecond = new TreeMap<>();
        int seconds = 0;
        for (int i = 0; i < latencies.length; i++) {
            int second = (int) ((sentAt[i] - phaseStartNanos) / 1_000_000_000L);
            seconds = Math.max(seconds, second + 1);
            if (latencies[i] / 1e6 > p99Millis) {
                slowBySecond.merge(second, 1, Integer::sum);
            }
        }
        int slow = slowBySecond.values().stream().mapToInt(Integer::intValue).sum();
        List<Map.Entry<Integer, Integer>> bySlowest = slowBySecond.entrySet().stream()
            .sorted(Map.Entry.<Integer, Integer>comparingByValue(Comparator.reverseOrder())).toList();
        int worstCount = Math.max(1, (int) Math.ceil(0.05 * seconds));
        int inWorst = bySlowest.stream().limit(worstCount).mapToInt(Map.Entry::getValue).sum();
        return new TailInTime(slow, p99Millis, seconds, slowBySecond.size(), worstCount,
            slow == 0 ? Double.NaN : (double) inWorst / slow, bySlowest.stream().limit(8).toList(), wallStart);
    }

    String describe() {
        return String.format(Locale.ROOT,
            "accept tail: %d messages above the p99 of %.1f ms, sent in %d of the phase's %d seconds; the worst %d"
                + " seconds (5 %%) held %.0f %% of them; worst seconds (from %s UTC): %s",
            slow, p99Millis, secondsWithSlow, seconds, worstCount, 100 * shareInWorst, CLOCK.format(phaseStart),
            worst.stream().map(entry -> CLOCK.format(phaseStart.plusSeconds(entry.getKey())) + " " + entry.getValue())
                .collect(Collectors.joining(", ")));
    }
}
