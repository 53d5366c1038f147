package dev.polymux.testing.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PostgresServerTest {

    @Test
    void readsUserPasswordHostAndPortFromTheUrl() {
        PostgresServer server = PostgresServer.fromUrl("postgresql://app:s%40cret@db.internal:6543/ignored", "POLYMUX_PG_URL");
        assertEquals("app", server.user());
        assertEquals("s@cret", server.password());
        assertEquals("db.internal", server.host());
        assertEquals(6543, server.port());
        assertEquals("jdbc:postgresql://db.internal:6543/polymux_registry", server.jdbcUrl("polymux_registry"));
        assertEquals("postgresql://db.internal:6543/polymux_registry", server.reactiveUrl("polymux_registry"));
    }

    @Test
    void acceptsJdbcUrlsAndDefaultsThePort() {
        PostgresServer server = PostgresServer.fromUrl("jdbc:postgresql://localhost/whatever", "POLYMUX_PG_URL");
        assertEquals("localhost", server.host());
        assertEquals(5432, server.port());
        assertEquals("postgres", server.user());
    }

    @Test
    void neverShowsThePasswordInWhereItCameFrom() {
        PostgresServer server = PostgresServer.fromUrl("postgresql://app:topsecret@db:5432", "POLYMUX_PG_URL");
        assertFalse(server.origin().contains("topsecret"), server.origin());
        assertTrue(server.origin().contains("app:***@db"), server.origin());
    }

    @Test
    void rejectsAUrlThatIsNotPostgresInOneSentence() {
        PostgresUnavailableException e = assertThrows(PostgresUnavailableException.class,
                () -> PostgresServer.fromUrl("mysql://root:pw@localhost:3306", "POLYMUX_PG_URL"));
        assertEquals("POLYMUX_PG_URL=mysql://root:***@localhost:3306 is not a PostgreSQL URL; "
                + "expected postgresql://user:password@host:port", e.getMessage());
        assertEquals(0, e.getStackTrace().length, "a configuration mistake is a sentence, not a stack trace");
    }

    @Test
    void anUnreachableGivenServerIsAnErrorNotASilentFallback() {
        PostgresUnavailableException e = assertThrows(PostgresUnavailableException.class,
                () -> PostgresServer.given("postgresql://postgres:pw@127.0.0.1:1", "POLYMUX_TEST_PG_URL"));
        assertTrue(e.getMessage().startsWith("PostgreSQL at POLYMUX_TEST_PG_URL=postgresql://postgres:***@127.0.0.1:1 cannot be used: "),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("unset the variable to use a local or embedded server."), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
        assertFalse(e.getMessage().contains(":pw@"), "no password");
    }

    @Test
    void refusesDatabaseNamesThatWouldBreakOutOfTheStatement() {
        PostgresServer server = PostgresServer.fromUrl("postgresql://postgres@127.0.0.1:1", "X");
        assertThrows(IllegalArgumentException.class, () -> server.createDatabaseIfMissing("x; drop database postgres"));
    }
}
