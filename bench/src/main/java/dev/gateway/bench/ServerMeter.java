package dev.gateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;

/**
 * CPU time and resident memory of a server under test, read from {@code /proc}: the given processes and all their
 * descendants (Postfix's master forks a process per job; spamd forks its scanning children). CPU counts user and
 * system time including that of reaped children, so short-lived processes are not missed. Resident memory is sampled
 * every 100 ms (the sum of VmRSS over the process tree); the peak also takes each root's own VmHWM, so a JVM's peak
 * between two samples is not missed.
 *
 * <p>The part of the CPU a JVM's just-in-time compilers used ({@link #compilerSeconds}) is read per thread,
 * from the threads HotSpot names "C1 CompilerThread" and "C2 CompilerThread": a JVM still compiling is still warming
 * up, and a short cell's CPU per message includes it.
 *
 * <p>{@link #threadSecondsByRoot} splits each root's CPU by thread pool: the thread's name with its digits dropped,
 * so that "GC Thread#0" and "GC Thread#1", or Cassandra's "Native-Transpor" threads (the kernel keeps 15 characters
 * of "Native-Transport-Requests-12"), count as one. It is read without a profiler, so it costs the server nothing; a
 * thread that ends between two readings takes its time with it (the process's total still counts it).
 */
final class ServerMeter implements AutoCloseable {

    private final List<Long> roots;
    private final long clockTicksPerSecond;
    private final AtomicLong peakRssKb = new AtomicLong();
    private final Thread sampler;

    ServerMeter(List<Long> roots, long clockTicksPerSecond) {
        this.roots = List.copyOf(roots);
        this.clockTicksPerSecond = clockTicksPerSecond;
        this.sampler = new Thread(this::sample, "rss-sampler");
        this.sampler.setDaemon(true);
        this.sampler.start();
    }

    /** CPU seconds used so far by the process trees. */
    double cpuSeconds() {
        return tree().mapToLong(ServerMeter::cpuTicks).sum() / (double) clockTicksPerSecond;
    }

    /** CPU seconds used so far by each root's process tree, in the order of the roots. */
    double[] cpuSecondsByRoot() {
        return secondsByRoot(ServerMeter::cpuTicks);
    }

    /**
     * CPU seconds used so far by each thread pool of each root's process tree, in the order of the roots; a pool is
     * the threads whose names are equal once their digits are dropped.
     */
    List<Map<String, Double>> threadSecondsByRoot() {
        return roots.stream().map(root -> {
            Map<String, Double> seconds = new HashMap<>();
            treeOf(root).forEach(pid -> addThreadSeconds(pid, seconds));
            return seconds;
        }).toList();
    }

    private void addThreadSeconds(long pid, Map<String, Double> seconds) {
        try (Stream<Path> threads = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            threads.forEach(thread -> {
                String stat = read(thread.resolve("stat"));
                if (stat.isEmpty()) {
                    return;
                }
                String[] fields = fieldsAfterName(stat);
                long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                seconds.merge(pool(read(thread.resolve("comm")).strip()), ticks / (double) clockTicksPerSecond,
                    Double::sum);
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            // The process exited, or is not ours to read.
        }
    }

    /** A thread's pool: its name (as the kernel keeps it, 15 characters at most) without digits. */
    static String pool(String threadName) {
        return threadName.replaceAll("[0-9]", "");
    }

    /** The seconds of {@code pools} (one root's, from {@link #threadSecondsByRoot}) that its JIT compilers used. */
    static double compilerSeconds(Map<String, Double> pools) {
        return pools.entrySet().stream()
            .filter(pool -> pool.getKey().startsWith("C CompilerThre"))
            .mapToDouble(Map.Entry::getValue)
            .sum();
    }

    private double[] secondsByRoot(ToLongFunction<Long> ticksOfProcess) {
        return roots.stream()
            .mapToDouble(root -> treeOf(root).mapToLong(ticksOfProcess).sum() / (double) clockTicksPerSecond)
            .toArray();
    }

    long peakRssKb() {
        long hwm = roots.stream().mapToLong(pid -> statusKb(pid, "VmHWM:")).sum();
        return Math.max(peakRssKb.get(), hwm);
    }

    @Override
    public void close() {
        sampler.interrupt();
    }

    private void sample() {
        while (!Thread.currentThread().isInterrupted()) {
            long rss = tree().mapToLong(pid -> statusKb(pid, "VmRSS:")).sum();
            peakRssKb.accumulateAndGet(rss, Math::max);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private Stream<Long> tree() {
        return roots.stream().flatMap(ServerMeter::treeOf);
    }

    /** {@code root} and every process descended from it. */
    private static Stream<Long> treeOf(long root) {
        return Stream.concat(Stream.of(root),
            ProcessHandle.of(root).stream().flatMap(ProcessHandle::descendants).map(ProcessHandle::pid));
    }

    /** utime + stime + cutime + cstime: fields 14 to 17 of /proc/PID/stat, counted after the command name. */
    private static long cpuTicks(long pid) {
        String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
        if (stat.isEmpty()) {
            return 0;
        }
        String[] fields = fieldsAfterName(stat);
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]) + Long.parseLong(fields[13])
            + Long.parseLong(fields[14]);
    }

    /**
     * The fields of a {@code stat} line after the command name, which may hold spaces and parentheses: fields[0] is
     * field 3 (state), so field N is fields[N - 3] (14 utime, 15 stime, 16 cutime, 17 cstime).
     */
    private static String[] fieldsAfterName(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    private static long statusKb(long pid, String key) {
        return read(Path.of("/proc", Long.toString(pid), "status")).lines()
            .filter(line -> line.startsWith(key))
            .mapToLong(line -> Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]))
            .findFirst()
            .orElse(0);
    }

    /** A process may exit between listing and reading: that reads as empty. */
    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            return "";
        }
    }
}
