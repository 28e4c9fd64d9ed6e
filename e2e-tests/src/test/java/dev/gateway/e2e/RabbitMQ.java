package dev.gateway.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

import dev.gateway.testkit.FreePorts;

/**
 * A real RabbitMQ started with {@code bin/rabbitmq start} in a directory of its own, on free loopback ports (AMQP,
 * Erlang distribution, its own port mapper), stopped with {@code bin/rabbitmq stop}: the script an operator uses.
 */
public final class RabbitMQ implements AutoCloseable {

    private final Path source;
    private final Path directory;
    private final int amqpPort;
    private final int distributionPort;
    private final int portMapperPort;

    private RabbitMQ(Path source, Path directory, int amqpPort, int distributionPort, int portMapperPort) {
        this.source = source;
        this.directory = directory;
        this.amqpPort = amqpPort;
        this.distributionPort = distributionPort;
        this.portMapperPort = portMapperPort;
    }

    public static RabbitMQ start() throws IOException, InterruptedException {
        Path source = Path.of(System.getProperty("gateway.source", "..")).toAbsolutePath().normalize();
        Path directory = Files.createTempDirectory("gateway-rabbitmq-");
        List<Integer> ports = FreePorts.take(3);
        RabbitMQ broker = new RabbitMQ(source, directory, ports.get(0), ports.get(1), ports.get(2));
        broker.script("start");
        return broker;
    }

    /** The environment that points a gateway's mailbox events at this broker. */
    public Map<String, String> gatewayEnvironment() {
        return Map.of("GATEWAY_RABBITMQ_URI", "amqp://127.0.0.1:" + amqpPort);
    }

    /** Stops the broker, as an outage would, keeping its directory: {@link #startAgain()} brings it back as it was. */
    public void stopForOutage() throws IOException, InterruptedException {
        script("stop");
    }

    /** Starts the broker stopped by {@link #stopForOutage()} on the same ports and database. */
    public void startAgain() throws IOException, InterruptedException {
        script("start");
    }

    /** The consumers of each queue on the broker, by queue name ({@code bin/rabbitmq queues}). */
    public Map<String, Integer> consumersByQueue() throws IOException, InterruptedException {
        Map<String, Integer> consumers = new TreeMap<>();
        for (String line : script("queues").split("\n")) {
            String[] columns = line.split("\t");
            if (columns.length == 3) {
                consumers.put(columns[0], Integer.parseInt(columns[1].trim()));
            }
        }
        return consumers;
    }

    /** Deletes a queue on the broker, its consumers cancelled by the broker: a fault to recover from. */
    public void deleteQueue(String name) throws IOException, TimeoutException {
        try (Connection connection = newConnection(); Channel channel = connection.createChannel()) {
            channel.queueDelete(name);
        }
    }

    /** A new connection to this broker as its guest, which the client does not recover by itself once lost. */
    public Connection newConnection() throws IOException, TimeoutException {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(amqpPort);
        factory.setAutomaticRecoveryEnabled(false);
        return factory.newConnection();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        script("stop");
    }

    private String script(String command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(source.resolve("bin/rabbitmq").toString(), command).redirectErrorStream(true);
        builder.environment().put("GATEWAY_RABBITMQ_DIR", directory.toString());
        builder.environment().put("GATEWAY_RABBITMQ_PORT", String.valueOf(amqpPort));
        builder.environment().put("GATEWAY_RABBITMQ_DIST_PORT", String.valueOf(distributionPort));
        builder.environment().put("GATEWAY_RABBITMQ_EPMD_PORT", String.valueOf(portMapperPort));
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(Duration.ofMinutes(3).toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("bin/rabbitmq " + command + " timed out:\n" + output);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("bin/rabbitmq " + command + " exited " + process.exitValue() + ":\n" + output);
        }
        return output;
    }
}
