package dev.polymux.testing.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/** PostgreSQL 17 from the zonky binaries on Maven Central: no installed server, no Docker. */
final class EmbeddedPostgresServer {

    private EmbeddedPostgresServer() {
    }

    /**
     * @param dataDir where to keep the data between runs, or null for a throw-away directory
     * @param port    the port to listen on, or 0 for any free one
     */
    static PostgresServer start(Path dataDir, int port) {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
            if (dataDir != null) {
                Files.createDirectories(dataDir);
                builder.setDataDirectory(dataDir).setCleanDataDirectory(false);
            }
            if (port > 0) {
                builder.setPort(port);
            }
            EmbeddedPostgres postgres = builder.start();
            return new PostgresServer(PostgresServer.LOCAL_HOST, postgres.getPort(), "postgres", "",
                    "embedded PostgreSQL (zonky binaries)", postgres);
        } catch (IOException | RuntimeException e) {
            throw new PostgresUnavailableException("The embedded PostgreSQL could not start: " + e.getMessage());
        }
    }
}
