package dev.polymux.testing.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.jboss.logging.Logger;

import dev.polymux.testing.kafka.KafkaBroker;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.postgres.PostgresServer;
import dev.polymux.testing.security.TestTokens;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Runs another Polymux service, as built ({@code <module>/target/quarkus-app/quarkus-run.jar}), as a child JVM beside
 * the app under test: on the tests' Kafka broker, a fresh database of its own on the tests' PostgreSQL (or the one
 * {@link #sharedDatabase()} names, as another replica of the app would), trusting the same test token key. Real
 * implementations of the other services' contracts, not doubles. Its log goes to
 * {@code target/child-services/<module>.log}. The module must be built first (the reactor order guarantees it when
 * the test module depends on it; see oauth-service's pom).
 */
public abstract class ChildServiceResource implements QuarkusTestResourceLifecycleManager {

    private static final Logger LOG = Logger.getLogger(ChildServiceResource.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private Process process;
    private String database;
    private boolean ownDatabase;
    private int httpPort;
    private int managementPort;
    private Path log;

    /** The module directory name, e.g. "vault-service". */
    protected abstract String module();

    /**
     * The database on the tests' PostgreSQL that the child uses instead of a fresh one of its own, or null (the
     * default) for a fresh one. Set it to the app under test's database to run the child as another replica of the
     * app: one database, several processes. A shared database belongs to whoever created it; the child never creates
     * or drops it. Called when the child starts, after the resources of lower order (the database's among them).
     */
    protected String sharedDatabase() {
        return null;
    }

    /** False for a service that keeps no state (dispatch-service): it gets no database. */
    protected boolean hasDatabase() {
        return true;
    }

    /** Settings the child needs beyond infrastructure (as environment variables). */
    protected Map<String, String> environment(Path workDir) {
        return Map.of();
    }

    /** What the app under test is told about the child, given the child's HTTP (and gRPC) port. */
    protected abstract Map<String, String> configForTheAppUnderTest(int httpPort);

    /**
     * Points the app under test's gRPC client {@code name} at the child. test-port too: in tests, Quarkus points gRPC
     * clients at the app under test itself unless told otherwise.
     */
    protected static Map<String, String> grpcClient(String name, int httpPort) {
        String prefix = "quarkus.grpc.clients." + name + ".";
        return Map.of(prefix + "host", "localhost", prefix + "port", String.valueOf(httpPort), prefix + "test-port", String.valueOf(httpPort));
    }

    /** Start after the broker, the database server and the token key (which start at order 0). */
    @Override
    public int order() {
        return 100;
    }

    @Override
    public Map<String, String> start() {
        Path moduleDir = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent().resolve(module());
        Path jar = moduleDir.resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build " + module() + " first (./mvnw install -pl " + module() + " -DskipTests)");
        }
        PostgresServer pg = hasDatabase() ? PostgresResource.server() : null;
        String shared = sharedDatabase();
        if (pg == null) {
            database = null;
        } else if (shared != null) {
            database = shared;
            ownDatabase = false;
        } else if (database == null) { // a restart after kill() keeps the database, as a restarted pod would
            database = "polymux_child_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
            pg.createDatabaseIfMissing(database);
            ownDatabase = true;
        }
        if (httpPort == 0) { // a restart after kill() keeps its ports too, as a Service keeps its address: others call it there
            httpPort = freePort();
            managementPort = freePort();
        }
        try {
            Path workDir = Files.createDirectories(Path.of("target", "child-services", module() + "-" + httpPort)).toAbsolutePath();
            log = workDir.resolve("service.log");
            Map<String, String> env = new HashMap<>();
            if (pg != null) {
                env.put("QUARKUS_DATASOURCE_REACTIVE_URL", pg.reactiveUrl(database));
                env.put("QUARKUS_DATASOURCE_JDBC_URL", pg.jdbcUrl(database));
                env.put("QUARKUS_DATASOURCE_USERNAME", pg.user());
                env.put("QUARKUS_DATASOURCE_PASSWORD", pg.password() == null ? "" : pg.password());
            }
            env.put("POLYMUX_KAFKA_BOOTSTRAP", KafkaBroker.bootstrapServers());
            env.put("QUARKUS_HTTP_PORT", String.valueOf(httpPort));
            env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
            env.put("QUARKUS_OIDC_PUBLIC_KEY", TestTokens.publicKey());
            env.put("QUARKUS_OIDC_TOKEN_ISSUER", TestTokens.ISSUER);
            env.putAll(environment(workDir));
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-jar", jar.toString()));
            ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())); // a restart keeps the killed run's log
            builder.environment().putAll(env);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start " + module(), e);
        }
        awaitReady(managementPort);
        LOG.infof("%s runs as a child process on port %d (log: %s)", module(), httpPort, log);
        return configForTheAppUnderTest(httpPort);
    }

    private void awaitReady(int managementPort) {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(module() + " stopped while starting; the end of its log:\n" + tail());
            }
            try {
                HttpURLConnection ready = (HttpURLConnection) URI.create("http://localhost:" + managementPort + "/q/health/ready").toURL()
                        .openConnection();
                ready.setConnectTimeout(500);
                if (ready.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        stop();
        throw new IllegalStateException(module() + " was not ready within " + START_TIMEOUT + "; the end of its log:\n" + tail());
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** The child's process id while it runs (benchmarks read its memory from /proc), or -1. */
    public long pid() {
        return process == null ? -1 : process.pid();
    }

    /** The child's management port (health, metrics), while it runs. */
    public int managementPort() {
        return managementPort;
    }

    /** The child's HTTP (and gRPC) port, while it runs. */
    public int httpPort() {
        return httpPort;
    }

    /**
     * Kills the child at once ({@code kill -9}: no shutdown hook, no graceful shutdown, nothing flushed), keeping its
     * database and its ports, so that {@link #start()} restarts it as a crashed pod is restarted, at the same address.
     */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LOG.infof("%s killed (SIGKILL)", module());
            process = null;
        }
    }

    @Override
    public void stop() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
            process = null;
        }
        httpPort = 0;
        managementPort = 0;
        if (database != null) {
            if (ownDatabase) {
                PostgresResource.server().dropDatabase(database);
            }
            database = null;
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
