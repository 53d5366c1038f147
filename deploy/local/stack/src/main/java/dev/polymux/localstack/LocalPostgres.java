package dev.polymux.localstack;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

import dev.polymux.testing.postgres.PostgresServer;
import dev.polymux.testing.postgres.PostgresUnavailableException;

/**
 * PostgreSQL for deploy/local/up, with the same rules as the tests: POLYMUX_PG_URL, else a server on
 * 127.0.0.1:5432, else an embedded PostgreSQL whose data is kept under the local state folder.
 *
 * <pre>
 * locate                        shell assignments PG_HOST, PG_PORT, PG_USER, PG_PASSWORD, PG_ORIGIN; PG_ORIGIN=none when
 *                               there is no server to use (so the caller starts the embedded one)
 * embedded DATA_DIR PORT        runs an embedded server on that port until stopped (SIGTERM)
 * create-databases DB...        creates the databases that are missing, on the server in PG_HOST etc.
 * </pre>
 * Errors are one sentence on stderr and exit code 2; the password is never printed except as the quoted
 * assignment the caller evaluates.
 */
public final class LocalPostgres {

    private LocalPostgres() {
    }

    public static void main(String[] args) throws InterruptedException {
        try {
            switch (args.length == 0 ? "" : args[0]) {
                case "locate" -> locate();
                case "embedded" -> embedded(Path.of(args[1]), Integer.parseInt(args[2]));
                case "create-databases" -> createDatabases(Arrays.copyOfRange(args, 1, args.length));
                default -> fail("usage: LocalPostgres locate | embedded DATA_DIR PORT | create-databases DB...");
            }
        } catch (PostgresUnavailableException e) {
            fail(e.getMessage());
        }
    }

    private static void locate() {
        String url = System.getenv("POLYMUX_PG_URL");
        PostgresServer server;
        if (url != null && !url.isBlank()) {
            server = PostgresServer.given(url.trim(), "POLYMUX_PG_URL");
        } else {
            server = PostgresServer.localServerIfAny();
            if (server == null) {
                System.out.println("PG_ORIGIN=none");
                return;
            }
        }
        System.out.println("PG_HOST=" + quote(server.host()));
        System.out.println("PG_PORT=" + server.port());
        System.out.println("PG_USER=" + quote(server.user()));
        System.out.println("PG_PASSWORD=" + quote(server.password()));
        System.out.println("PG_ORIGIN=" + quote(server.origin()));
    }

    private static void embedded(Path dataDir, int port) throws InterruptedException {
        PostgresServer server = PostgresServer.embedded(dataDir, port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "embedded-postgres-stop"));
        System.out.println("Embedded PostgreSQL " + server.version() + " listening on 127.0.0.1:" + server.port()
                + ", data in " + dataDir);
        stopped.await();
    }

    private static void createDatabases(String[] databases) {
        PostgresServer server = PostgresServer.fromParts(env("PG_HOST"), Integer.parseInt(env("PG_PORT")), env("PG_USER"),
                System.getenv().getOrDefault("PG_PASSWORD", ""), env("PG_ORIGIN"));
        for (String database : databases) {
            if (server.createDatabaseIfMissing(database)) {
                System.out.println("Created database " + database);
            }
        }
    }

    private static String env(String name) {
        String value = System.getenv(name);
        if (value == null) {
            fail(name + " is not set");
        }
        return value;
    }

    /** Single-quoted for POSIX shells. */
    static String quote(String value) {
        return "'" + value.replace("'", "'\"'\"'") + "'";
    }

    private static void fail(String sentence) {
        System.err.println(sentence);
        System.exit(2);
    }
}
