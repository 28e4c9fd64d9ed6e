package dev.gateway.queue.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.datastax.oss.driver.api.core.CqlSession;

/**
 * bin/cassandra gives Cassandra's process a timer slack of 250 us (GATEWAY_CASSANDRA_TIMER_SLACK_US), and every
 * thread the JVM starts inherits it: among them the request threads Cassandra starts only when requests come, which
 * are the ones whose 10 us parks the slack is for. So the threads are read after requests have been served.
 */
class CassandraTimerSlackIT {

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    @Test
    void everyThreadOfCassandraHasTheSlackBinCassandraGaveIt() throws IOException {
        try (CqlSession session = CASSANDRA.server().client()) {
            for (int i = 0; i < 50; i++) {
                session.execute("SELECT release_version FROM system.local");
            }
        }
        long pid = CASSANDRA.server().process().pid();

        Map<String, Long> slackByThread = slackByThread(pid);

        assertThat(slackByThread.keySet())
            .as("Cassandra's request threads (named after the stage they last served), started for the requests")
            .anySatisfy(name -> assertThat(name).matches("(Native-Transpor|ReadStage|MutationStage).*"));
        assertThat(slackByThread).allSatisfy((thread, slack) -> assertThat(slack).as(thread).isEqualTo(250_000L));
    }

    /**
     * Each live thread of the process, as "name (tid)", with its slack in ns. A thread's slack is in
     * /proc/TID/timerslack_ns, not under its process's task/ folder; a thread that ends while being read is left out.
     */
    private static Map<String, Long> slackByThread(long pid) throws IOException {
        Map<String, Long> slack = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip();
                    long nanos = Long.parseLong(Files.readString(
                        Path.of("/proc", task.getFileName().toString(), "timerslack_ns")).strip());
                    slack.put(name + " (" + task.getFileName() + ")", nanos);
                } catch (NoSuchFileException ended) {
                    // The thread ended between the listing and the read.
                }
            }
        }
        return slack;
    }
}
