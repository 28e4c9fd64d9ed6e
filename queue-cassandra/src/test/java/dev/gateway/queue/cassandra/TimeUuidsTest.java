package dev.gateway.queue.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
import org.junit.jupiter.api.io.TempDir;

import com.datastax.oss.driver.api.core.uuid.Uuids;

/**
 * Our guarantee: two gateway nodes that start at the same moment and make time UUIDs from many threads at once never
 * make the same id. Each node is a JVM of its own (the driver's generator is per JVM), prepared by
 * {@link TimeUuids#prepare} as {@link CassandraConnection#open} does, then eight threads ask for ids at once.
 * Whether the driver's race would have struck without the preparation does not matter here: a driver without the
 * race passes too.
 */
class TimeUuidsTest {

    private static final int THREADS = 8;
    private static final int IDS_PER_THREAD = 2000;

    @Test
    void twoNodesStartingTogetherNeverMakeTheSameIdAndEveryIdHasANodePart(@TempDir Path directory) throws Exception {
        Path idsOfA = directory.resolve("a.ids");
        Path idsOfB = directory.resolve("b.ids");
        Process nodeA = fork(idsOfA);
        Process nodeB = fork(idsOfB);
        Set<String> madeByA = idsMadeBy(nodeA, idsOfA);
        Set<String> madeByB = idsMadeBy(nodeB, idsOfB);

        Set<String> common = new HashSet<>(madeByA);
        common.retainAll(madeByB);
        assertThat(common).as("ids made by both nodes").isEmpty();
        assertThat(madeByA).as("ids of node A without a node part").noneMatch(TimeUuidsTest::hasNoNodePart);
        assertThat(madeByB).as("ids of node B without a node part").noneMatch(TimeUuidsTest::hasNoNodePart);
    }

    private static boolean hasNoNodePart(String id) {
        return UUID.fromString(id).getLeastSignificantBits() == 0;
    }

    private static Process fork(Path ids) throws Exception {
        return new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                ManyThreadsAtOnce.class.getName(), ids.toString())
            .redirectErrorStream(true)
            .start();
    }

    private static Set<String> idsMadeBy(Process process, Path ids) throws Exception {
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("the forked JVM ends").isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
        Set<String> made = new HashSet<>(Files.readAllLines(ids, StandardCharsets.US_ASCII));
        assertThat(made).as("distinct ids made by one node").hasSize(THREADS * IDS_PER_THREAD);
        return made;
    }

    /** Run in its own JVM, as a node: prepares the generator, makes ids on many threads at once, writes them out. */
    public static final class ManyThreadsAtOnce {
        public static void main(String[] args) throws Exception {
            TimeUuids.prepare();
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
            List<String> lines = new ArrayList<>();
            for (Future<List<UUID>> ids : made) {
                ids.get().forEach(id -> lines.add(id.toString()));
            }
            threads.shutdown();
            Files.write(Path.of(args[0]), lines, StandardCharsets.US_ASCII);
        }
    }
}
