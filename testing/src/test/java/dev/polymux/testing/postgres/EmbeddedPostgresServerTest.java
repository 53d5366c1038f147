package dev.polymux.testing.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The last fallback, taken on machines with neither a given nor a local server: PostgreSQL binaries from Maven.
 * Exercised here on purpose, since the machines that run the suite usually have a local server.
 */
class EmbeddedPostgresServerTest {

    @Test
    void embeddedServerHoldsDataAcrossARestartOnTheSameDirectory(@TempDir Path dataDir) throws Exception {
        try (PostgresServer server = EmbeddedPostgresServer.start(dataDir, 0)) {
            assertTrue(server.version().startsWith("17."), server.version());
            assertTrue(server.createDatabaseIfMissing("polymux_embedded_check"));
            assertFalse(server.createDatabaseIfMissing("polymux_embedded_check"), "second create is a no-op");
            try (Connection connection = server.connect("polymux_embedded_check"); Statement sql = connection.createStatement()) {
                sql.execute("create table kept (value text)");
                sql.execute("insert into kept values ('still here')");
            }
        }
        assertTrue(Files.exists(dataDir.resolve("PG_VERSION")), "the data directory is kept");
        try (PostgresServer restarted = EmbeddedPostgresServer.start(dataDir, 0);
                Connection connection = restarted.connect("polymux_embedded_check");
                Statement sql = connection.createStatement();
                ResultSet rows = sql.executeQuery("select value from kept")) {
            assertTrue(rows.next());
            assertEquals("still here", rows.getString(1));
            restarted.dropDatabase("polymux_embedded_check");
        }
    }
}
