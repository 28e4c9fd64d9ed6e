package dev.gateway.queue.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.datastax.oss.driver.api.core.uuid.Uuids;

/**
 * The driver's time-UUID generator can be used first by only one thread per JVM, so each case runs in a JVM of its
 * own: eight threads ask for ids at the same moment, on a cold driver and on one {@link TimeUuids#prepare prepared}.
 */
class TimeUuidsTest {

    private static final int THREADS = 8;
    private static final int IDS_PER_THREAD = 2000;

    @Test
    void idsMadeByManyThreadsAtOnceAfterPrepareAllCarryANodePart() throws Exception {
        assertThat(zeroNodeIdsInAFreshJvm("prepared")).as("ids without a node part").isZero();
    }

    /**
     * Shows that the first case can fail: without {@link TimeUuids#prepare} the driver hands out ids without a node
     * part. When this fails, the driver in use no longer has the race and {@link TimeUuids} can go.
     */
    @Test
    void aColdDriverGivesIdsWithoutANodePartToThreadsThatAskDuringItsFirstUse() throws Exception {
        assertThat(zeroNodeIdsInAFreshJvm("cold")).as("ids without a node part").isPositive();
    }

    private static long zeroNodeIdsInAFreshJvm(String mode) throws Exception {
        Process process = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                ManyThreadsAtOnce.class.getName(), mode)
            .redirectErrorStream(true)
            .start();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("the forked JVM ends").isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
        String result = output.lines().filter(line -> line.startsWith("zero-node ")).findFirst()
            .orElseThrow(() -> new AssertionError("no result in: " + output));
        String[] counts = result.substring("zero-node ".length()).split(" of ");
        assertThat(Long.parseLong(counts[1].trim())).as("ids made").isEqualTo((long) THREADS * IDS_PER_THREAD);
        return Long.parseLong(counts[0].trim());
    }

    /** Run in its own JVM: prints {@code zero-node Z of N}, and fails when two ids are equal. */
    public static final class ManyThreadsAtOnce {
        public static void main(String[] args) throws Exception {
            if (args[0].equals("prepared")) {
                TimeUuids.prepare();
            }
            ExecutorService threads = Executors.newFixedThreadPool(THREADS);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<UUID>>> made = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                made.add(threads.submit(() -> {
                    start.await();
                    List<UUID> ids = new ArrayList<>(IDS_PER_THREAD);
                    for (int k = 0; k < IDS_PER_THREAD; k++) {
                        ids.add(Uuids.timeBased());
                    }
                    return ids;
                }));
            }
            start.countDown();
            Set<UUID> distinct = new HashSet<>();
            long zeroNode = 0;
            for (Future<List<UUID>> ids : made) {
                for (UUID id : ids.get()) {
                    distinct.add(id);
                    zeroNode += id.getLeastSignificantBits() == 0 ? 1 : 0;
                }
            }
            threads.shutdown();
            if (distinct.size() != THREADS * IDS_PER_THREAD) {
                throw new AssertionError("equal ids within one JVM: " + (THREADS * IDS_PER_THREAD - distinct.size()));
            }
            System.out.println("zero-node " + zeroNode + " of " + THREADS * IDS_PER_THREAD);
        }
    }
}
