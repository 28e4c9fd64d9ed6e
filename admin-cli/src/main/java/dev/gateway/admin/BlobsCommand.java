package dev.gateway.admin;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code bin/gateway blobs collect [--expected-blobs N]}: deletes the stored message bytes nothing refers to any more
 * (deleted mail, emptied quarantines) through WebAdmin's {@code DELETE /blobs?scope=unreferenced}, waits for the
 * task and prints what it found and deleted (docs/storage-cassandra.md#getting-the-disk-back). Cluster profile only:
 * the memory profile keeps no blobs to collect. {@code --expected-blobs} sizes the task's Bloom filter (James's
 * default 1,000,000): set it near the number of blobs stored, or more of the garbage survives a run.
 */
final class BlobsCommand {

    private static final String USAGE = "usage: bin/gateway blobs collect [--expected-blobs N]";

    private final WebAdmin webAdmin;
    private final PrintStream out;

    BlobsCommand(WebAdmin webAdmin, PrintStream out) {
        this.webAdmin = webAdmin;
        this.out = out;
    }

    int run(List<String> arguments) {
        Arguments args = new Arguments(arguments, Set.of("expected-blobs"), Set.of());
        if (!args.words().equals(List.of("collect"))) {
            throw new AdminException(USAGE);
        }
        String expected = args.value("expected-blobs").orElse("");
        if (!expected.isEmpty() && !expected.matches("[1-9][0-9]{0,8}")) {
            throw new AdminException(USAGE + " (a positive number: " + expected + ")");
        }
        JsonNode task = webAdmin.delete("/blobs?scope=unreferenced" + (expected.isEmpty() ? "" : "&expectedBlobCount=" + expected));
        String taskId = task.path("taskId").asText();
        if (taskId.isEmpty()) {
            throw new AdminException("WebAdmin started no collection task: " + task);
        }
        out.println("gateway: collecting (task " + taskId + ")");
        JsonNode done = webAdmin.awaitTask(taskId, () -> out.println("gateway: still collecting (task " + taskId + ")"));
        JsonNode details = done.path("additionalInformation");
        String status = done.path("status").asText();
        if (!"completed".equals(status)) {
            throw new AdminException("blob collection task " + taskId + " ended " + status + ": " + details);
        }
        out.printf("gateway: %d blobs stored, %d deleted (%d errors), %d references read%n",
            details.path("blobCount").asLong(), details.path("gcedBlobCount").asLong(),
            details.path("errorCount").asLong(), details.path("referenceSourceCount").asLong());
        return 0;
    }
}
