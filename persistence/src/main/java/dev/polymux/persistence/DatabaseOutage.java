package dev.polymux.persistence;

import java.net.ConnectException;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

/**
 * Whether a failure says that a dependency could not be reached (the database restarting or failing over, above all),
 * rather than that a request was wrong. A gRPC service answers such a failure UNAVAILABLE, which its callers retry
 * within their deadline, instead of INTERNAL, which they give up on; and it logs one line, not a stack trace per call.
 */
public final class DatabaseOutage {

    private DatabaseOutage() {
    }

    public static boolean is(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof ConnectException || cause instanceof ClosedConnectionException) {
                return true;
            }
            // SQLSTATE class 08: connection exception; 57P01-57P03: the server shuts down or cannot take connections yet.
            if (cause instanceof PgException pg && pg.getSqlState() != null
                    && (pg.getSqlState().startsWith("08") || pg.getSqlState().startsWith("57P0"))) {
                return true;
            }
        }
        return false;
    }
}
