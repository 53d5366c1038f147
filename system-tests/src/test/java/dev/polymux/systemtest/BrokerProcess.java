package dev.polymux.systemtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka broker (KRaft, one combined broker and controller, the Kafka release of the services' clients) as a
 * process of its own, so that a test can stop and restart it as an operator's rollout or a node failure would: same
 * ports, same data directory. The in-JVM broker of the other modules cannot be restarted under its clients.
 */
final class BrokerProcess {

    private final Path dir;
    private final int port = freePort();
    private final int controllerPort = freePort();
    private Process process;

    BrokerProcess(Path dir) {
        this.dir = dir;
    }

    String bootstrapServers() {
        return "localhost:" + port;
    }

    /** Formats the storage on the first start, then starts the broker and waits until it accepts connections. */
    void start() {
        try {
            Path properties = dir.resolve("server.properties");
            if (!Files.exists(properties)) {
                Files.createDirectories(dir);
                Files.writeString(properties, """
                        process.roles=broker,controller
                        node.id=1
                        controller.quorum.bootstrap.servers=localhost:%2$d
                        listeners=PLAINTEXT://localhost:%1$d,CONTROLLER://localhost:%2$d
                        advertised.listeners=PLAINTEXT://localhost:%1$d
                        controller.listener.names=CONTROLLER
                        listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
                        log.dirs=%3$s
                        num.partitions=3
                        auto.create.topics.enable=true
                        offsets.topic.replication.factor=1
                        offsets.topic.num.partitions=3
                        transaction.state.log.replication.factor=1
                        transaction.state.log.min.isr=1
                        transaction.state.log.num.partitions=3
                        group.initial.rebalance.delay.ms=0
                        """.formatted(port, controllerPort, dir.resolve("data")));
                run(List.of("kafka.tools.StorageTool", "format", "--standalone", "-t", org.apache.kafka.common.Uuid.randomUuid().toString(),
                        "-c", properties.toString()), "format");
            }
            process = java(List.of("kafka.Kafka", properties.toString()), "broker").start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the Kafka broker", e);
        }
        awaitListening(Duration.ofSeconds(60));
    }

    /** Stops the broker as a rollout does (SIGTERM: a controlled shutdown), and waits until it is gone. */
    void stop() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    private void run(List<String> arguments, String what) throws IOException {
        try {
            Process tool = java(arguments, what).start();
            if (!tool.waitFor(60, TimeUnit.SECONDS) || tool.exitValue() != 0) {
                throw new IllegalStateException("Kafka's " + what + " failed; see " + dir.resolve(what + ".log"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private ProcessBuilder java(List<String> arguments, String log) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path")));
        command.addAll(arguments);
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(log + ".log").toFile()));
    }

    private void awaitListening(Duration atMost) {
        Instant deadline = Instant.now().plus(atMost);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The Kafka broker stopped while starting; see " + dir.resolve("broker.log"));
            }
            try (Socket ignored = new Socket("localhost", port)) {
                return;
            } catch (IOException notYet) {
                pause(Duration.ofMillis(200));
            }
        }
        throw new IllegalStateException("The Kafka broker did not listen within " + atMost + "; see " + dir.resolve("broker.log"));
    }

    static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
