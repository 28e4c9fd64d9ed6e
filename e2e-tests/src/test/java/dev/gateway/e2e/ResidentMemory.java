package dev.gateway.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.gateway.testkit.GatewayProcess;

/**
 * The gateway process's resident memory, read from {@code /proc/<pid>/status} (Linux): what the operating system
 * actually gives the JVM, heap, direct buffers and all. Tests compare it before and during an attack.
 */
final class ResidentMemory {

    private ResidentMemory() {
    }

    /** VmRSS of the gateway started in {@code gateway}'s home, in megabytes. */
    static long megabytes(GatewayProcess gateway) throws IOException {
        String pid = Files.readString(gateway.home().resolve("var/run/gateway.pid")).trim();
        for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/" + pid + "/status");
    }
}
