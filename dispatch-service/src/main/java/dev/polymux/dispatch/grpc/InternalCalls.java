package dev.polymux.dispatch.grpc;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import dev.polymux.dispatch.toolcall.ErrorCode;
import dev.polymux.dispatch.toolcall.service.CallFailure;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.smallrye.mutiny.Uni;

/**
 * Calls to the other services' internal gRPC APIs: bounded by the tool call's deadline, and retried briefly when the
 * other service is momentarily unavailable (a rolling restart), never when it answered.
 */
public final class InternalCalls {

    private static final Logger LOG = Logger.getLogger(InternalCalls.class);

    private InternalCalls() {
    }

    /** The stub with a gRPC deadline of the call's deadline (at least a millisecond). */
    public static <S extends AbstractStub<S>> S until(S stub, Instant deadline) {
        long millis = Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
        return stub.withDeadlineAfter(millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Retries UNAVAILABLE (no answer: the service restarts, or is not reachable yet) with backoff from 100 ms up to 2 s,
     * until the call's deadline: a restart of vault-service, oauth-service or the registry, or their database, delays
     * the calls that need it instead of failing them (system-tests: "under every fault"). Every attempt carries the
     * deadline as its gRPC deadline, so the last one ends with it.
     */
    public static <T> Uni<T> retryingTransient(Uni<T> call, Instant deadline) {
        return call.onFailure(failure -> code(failure) == Status.Code.UNAVAILABLE)
                .retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(2)).expireAt(deadline.toEpochMilli());
    }

    /** The gRPC status code of a failure; UNKNOWN for anything that is not a status. */
    public static Status.Code code(Throwable failure) {
        return failure instanceof StatusRuntimeException status ? status.getStatus().getCode() : Status.Code.UNKNOWN;
    }

    /** The other service's description of a failure (written for people, never holding a secret), or a fallback. */
    public static String description(Throwable failure, String fallback) {
        if (failure instanceof StatusRuntimeException status && status.getStatus().getDescription() != null
                && !status.getStatus().getDescription().isBlank()) {
            return status.getStatus().getDescription();
        }
        return fallback;
    }

    /**
     * A dependency that gave no usable answer, as the call's failure: past the deadline it is DEADLINE_EXCEEDED,
     * otherwise INTERNAL (retriable for the engine). A refused service token is our misconfiguration: logged loudly.
     */
    public static CallFailure unreachable(String service, Throwable failure) {
        if (failure instanceof CallFailure already) {
            return already;
        }
        Status.Code code = code(failure);
        if (code == Status.Code.DEADLINE_EXCEEDED) {
            return new CallFailure(ErrorCode.DEADLINE_EXCEEDED, "The call's deadline passed while waiting for " + service + ".");
        }
        if (code == Status.Code.UNAUTHENTICATED || code == Status.Code.PERMISSION_DENIED) {
            LOG.errorf("%s refused dispatch-service's service token (%s): check POLYMUX_SERVICE_TOKEN and %s's allowed callers",
                    service, code, service);
        } else if (code == Status.Code.UNKNOWN || code == Status.Code.INTERNAL) {
            LOG.warnf("A call to %s failed: %s", service, failure.getClass().getSimpleName());
        }
        return new CallFailure(ErrorCode.INTERNAL, "Could not get an answer from " + service + " (" + code + "); publish the call again later.");
    }
}
