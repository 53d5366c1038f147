package dev.polymux.persistence;

import java.net.ConnectException;
import java.util.Set;

import org.jboss.logging.Logger;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

/**
 * Whether a failure says that the database could not be reached (restarting, failing over) rather than that a request
 * was wrong, and the gRPC answer for it: UNAVAILABLE, which callers retry within their deadline, instead of INTERNAL,
 * which they give up on; with one warning line, not a stack trace per call.
 */
public final class DatabaseOutage {

    private static final Logger LOG = Logger.getLogger(DatabaseOutage.class);
    /**
     * SQLSTATEs of a server that is going away or not there yet: connection failures (08000, 08001, 08003, 08004,
     * 08006) and admin_shutdown, crash_shutdown, cannot_connect_now (57P01-57P03). Not 08P01 (a protocol violation)
     * nor 57P04 (the database was dropped): waiting does not mend those.
     */
    private static final Set<String> TRANSIENT_STATES = Set.of("08000", "08001", "08003", "08004", "08006", "57P01", "57P02", "57P03");
    /** Cause chains are short; a cycle longer than a self-reference must not loop forever. */
    private static final int MAX_DEPTH = 16;

    private DatabaseOutage() {
    }

    /**
     * A refused or closed connection anywhere in the cause chain counts: the gRPC services reach no other server
     * directly (their calls to each other fail as gRPC statuses, which the services pass on as they are).
     */
    public static boolean is(Throwable failure) {
        Throwable cause = failure;
        for (int depth = 0; cause != null && depth < MAX_DEPTH; depth++, cause = cause.getCause()) {
            if (cause instanceof StatusRuntimeException) {
                return false;
            }
            if (cause instanceof ConnectException || cause instanceof ClosedConnectionException) {
                return true;
            }
            if (cause instanceof PgException pg && TRANSIENT_STATES.contains(pg.getSqlState())) {
                return true;
            }
        }
        return false;
    }

    /** The answer of {@code service} whose database is down: callers wait and try again. */
    public static StatusRuntimeException answer(String service, Throwable failure) {
        LOG.warnf("%s found its database unreachable (%s); answered UNAVAILABLE", service, failure.getClass().getSimpleName());
        return Status.UNAVAILABLE.withDescription(service + " cannot reach its database right now; try again.").asRuntimeException();
    }
}
