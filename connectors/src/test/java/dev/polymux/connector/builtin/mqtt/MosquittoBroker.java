package dev.polymux.connector.builtin.mqtt;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto broker of the test's own, with a password file, on a free port of 127.0.0.1; stopped by
 * {@link #close()}. Needs the mosquitto package (.ci/run installs it where it is missing).
 */
public final class MosquittoBroker implements AutoCloseable {

    public static final String USER = "polymux";
    public static final String PASSWORD = "mqtt-test-password-51c2";

    private final Process process;
    private final int port;

    private MosquittoBroker(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static MosquittoBroker start(Path dir) throws IOException, InterruptedException {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Path passwords = dir.resolve("passwd");
        run("mosquitto_passwd", "-b", "-c", passwords.toString(), USER, PASSWORD);
        Path config = dir.resolve("mosquitto.conf");
        Files.writeString(config, String.join("\n",
                "listener " + port + " 127.0.0.1",
                "allow_anonymous false",
                "password_file " + passwords,
                "persistence false",
                // Run as whoever runs the tests: as root, Mosquitto would switch to a user that cannot read this folder.
                "user " + System.getProperty("user.name"),
                ""));
        Process process = new ProcessBuilder("mosquitto", "-c", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        for (int i = 0; i < 100; i++) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 100);
                return new MosquittoBroker(process, port);
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    break;
                }
                Thread.sleep(50);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("Mosquitto did not start; its log: " + Files.readString(dir.resolve("mosquitto.log")));
    }

    public String url() {
        return "mqtt://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("The MQTT tests need Mosquitto (" + command[0]
                    + " not found): apt-get install mosquitto, as .ci/run does", e);
        }
        if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(command[0] + " failed: " + new String(process.getInputStream().readAllBytes()));
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
