package dev.gateway.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Postfix's {@code smtp-sink} on a loopback port: a real SMTP server that accepts every message and writes each one
 * to a file of its own, so a test can count what arrived. No TLS, no AUTH. Started and stopped by the test.
 */
public final class SmtpSink implements AutoCloseable {

    private final Process process;
    private final Path dumps;

    private SmtpSink(Process process, Path dumps) {
        this.process = process;
        this.dumps = dumps;
    }

    public static SmtpSink start(int port) throws IOException, InterruptedException {
        Path dumps = Files.createTempDirectory("smtp-sink-");
        // As root, smtp-sink must drop to another user (-u), which then writes the dumps.
        Files.setPosixFilePermissions(dumps, PosixFilePermissions.fromString("rwxrwxrwx"));
        List<String> command = new ArrayList<>(List.of(executable()));
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("-u", "nobody"));
        }
        command.addAll(List.of("-d", dumps + "/%M%S.", "127.0.0.1:" + port, "16"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(dumps.resolve("smtp-sink.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!listening(port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IOException("smtp-sink did not start on port " + port + ": "
                    + Files.readString(dumps.resolve("smtp-sink.log")));
            }
            Thread.sleep(100);
        }
        return new SmtpSink(process, dumps);
    }

    private static String executable() {
        return Files.isExecutable(Path.of("/usr/sbin/smtp-sink")) ? "/usr/sbin/smtp-sink" : "smtp-sink";
    }

    private static boolean listening(int port) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Every message received so far, as smtp-sink dumped it (envelope lines, then the message). */
    public List<String> messages() throws IOException {
        try (Stream<Path> files = Files.walk(dumps)) {
            List<String> messages = new ArrayList<>();
            for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().equals("smtp-sink.log")).toList()) {
                messages.add(Files.readString(file));
            }
            return messages;
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        process.waitFor();
        try (Stream<Path> files = Files.walk(dumps)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
