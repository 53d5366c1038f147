package dev.polymux.testing.postgres;

/** PostgreSQL cannot be used; the message is one sentence saying why and what to do, and holds no password. */
public class PostgresUnavailableException extends RuntimeException {

    public PostgresUnavailableException(String message) {
        super(message, null, false, false);
    }
}
