package dev.polymux.testing.postgres;

import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.jboss.logging.Logger;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Gives the Quarkus app under test a fresh, empty database of its own on a real PostgreSQL (see
 * {@link PostgresServer} for which one), and drops it when the app stops. Flyway then migrates it at start,
 * exactly as in production.
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {

    public static final String URL_VARIABLE = "POLYMUX_TEST_PG_URL";
    private static final Logger LOG = Logger.getLogger(PostgresResource.class);
    private static PostgresServer server;

    private String database;

    /**
     * Makes {@code given} the server of this JVM, before anything asked for one: a test that restarts PostgreSQL
     * (system-tests) runs a server of its own.
     */
    public static synchronized void use(PostgresServer given) {
        server = given;
    }

    /** One server per JVM: an embedded or container server is started once for all test classes. */
    public static synchronized PostgresServer server() {
        if (server == null) {
            server = PostgresServer.locate(URL_VARIABLE, null, 0);
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "postgres-test-server-stop"));
        }
        return server;
    }

    @Override
    public Map<String, String> start() {
        PostgresServer pg = server();
        database = "polymux_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
        pg.createDatabaseIfMissing(database);
        LOG.infof("PostgreSQL for tests: %s, PostgreSQL %s, fresh database %s", pg, pg.version(), database);
        return Map.of(
                "quarkus.datasource.reactive.url", pg.reactiveUrl(database),
                "quarkus.datasource.jdbc.url", pg.jdbcUrl(database),
                "quarkus.datasource.username", pg.user(),
                "quarkus.datasource.password", pg.password());
    }

    @Override
    public void stop() {
        if (database != null) {
            server().dropDatabase(database);
            LOG.infof("Dropped test database %s", database);
        }
    }
}
