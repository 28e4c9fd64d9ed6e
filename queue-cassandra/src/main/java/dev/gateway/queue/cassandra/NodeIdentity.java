package dev.gateway.queue.cassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

import org.apache.james.filesystem.api.JamesDirectoriesProvider;

/**
 * The name a node holds shard leases under. Persisted under the gateway's home so that a node restarted after a
 * crash is the same owner and takes back its shards at once, instead of waiting for its old leases to run out.
 * Two processes must never share a home (they would share the name, and both would poll the same shards).
 */
public final class NodeIdentity {

    private NodeIdentity() {
    }

    /**
     * The name of the server whose home {@code directories} describe, kept in {@code var/queue-node-name}: the name its
     * queue leases shards under and its mailboxes hold the sequences lease under.
     */
    public static String ofServer(JamesDirectoriesProvider directories) {
        return loadOrCreate(Path.of(directories.getVarDirectory(), "queue-node-name"));
    }

    /** The name stored in {@code file}, made and stored there the first time. */
    public static String loadOrCreate(Path file) {
        try {
            if (Files.exists(file)) {
                String stored = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (!stored.isEmpty()) {
                    return stored;
                }
            }
            String name = hostName() + "/" + UUID.randomUUID().toString().substring(0, 8);
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temporary, name + "\n", StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return name;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not keep the queue node name in " + file, e);
        }
    }

    /** A name for a node with nowhere to keep one (tests, tools): it never resumes anything after a restart. */
    public static String ephemeral() {
        String pid = ManagementFactory.getRuntimeMXBean().getName().split("@")[0];
        return hostName() + ":" + pid + "/" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "node";
        }
    }
}
