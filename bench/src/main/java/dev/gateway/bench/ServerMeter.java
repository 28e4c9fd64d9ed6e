package dev.gateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
 * <p>The part of the CPU a JVM's just-in-time compilers used ({@link #compilerSecondsByRoot}) is read per thread,
 * from the threads HotSpot names "C1 CompilerThread" and "C2 CompilerThread": a JVM still compiling is still warming
 * up, and a short cell's CPU per message includes it.
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

    /** CPU seconds used so far by the JIT compiler threads of each root's process tree, in the order of the roots. */
    double[] compilerSecondsByRoot() {
        return secondsByRoot(ServerMeter::compilerTicks);
    }

    private double[] secondsByRoot(ToLongFunction<Long> ticksOfProcess) {
        return roots.stream()
            .mapToDouble(root -> Stream.concat(Stream.of(root),
                    ProcessHandle.of(root).stream().flatMap(ProcessHandle::descendants).map(ProcessHandle::pid))
                .mapToLong(ticksOfProcess).sum() / (double) clockTicksPerSecond)
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
        return roots.stream().flatMap(pid -> Stream.concat(Stream.of(pid),
            ProcessHandle.of(pid).stream().flatMap(ProcessHandle::descendants).map(ProcessHandle::pid)));
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

    /** utime + stime of the threads of a process whose name (truncated to 15 characters) is a JIT compiler's. */
    private static long compilerTicks(long pid) {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (Stream<Path> threads = Files.list(tasks)) {
            return threads.mapToLong(thread -> {
                String name = read(thread.resolve("comm")).strip();
                if (!name.startsWith("C1 CompilerThre") && !name.startsWith("C2 CompilerThre")) {
                    return 0;
                }
                String stat = read(thread.resolve("stat"));
                if (stat.isEmpty()) {
                    return 0;
                }
                String[] fields = fieldsAfterName(stat);
                return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            }).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            // The process exited, or is not ours to read.
            return 0;
        }
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
