package dev.polymux.dispatch.grpc;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import dev.polymux.common.grpc.ProviderOutage;
import dev.polymux.dispatch.toolcall.ErrorCode;
import dev.polymux.dispatch.toolcall.service.CallFailure;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.smallrye.mutiny.Uni;

/**
 * Calls to the other services' internal gRPC APIs: bounded by the tool call's deadline, and retried when the other
 * service is unavailable ({@link #retryingTransient}), never when it answered anything else.
 */
public final class InternalCalls {

    private static final int BRIEF_RETRIES = 3;

    private static final Logger LOG = Logger.getLogger(InternalCalls.class);

    private InternalCalls() {
    }

    /** The stub with a gRPC deadline of the call's deadline (at least a millisecond). */
    public static <S extends AbstractStub<S>> S until(S stub, Instant deadline) {
        long millis = Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
        return stub.withDeadlineAfter(millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Retries UNAVAILABLE with backoff from 100 ms up to 2 s, and ends with the last answer's own status.
     * <ul>
     * <li>Until the call's deadline when the service does not answer (it restarts: the connection is refused or drops)
     * or answers that what it needs is down (its database, vault-service). A restart of vault-service, oauth-service
     * or the registry, or of their database, delays the calls that need it instead of failing them.</li>
     * <li>{@value #BRIEF_RETRIES} times for an OAuth provider's outage ({@link ProviderOutage}): retrying that until
     * the deadline would hammer the provider.</li>
     * </ul>
     * A retry that could not start before the deadline is not made: the call ends with the last answer's status.
     */
    public static <T> Uni<T> retryingTransient(Uni<T> call, Instant deadline) {
        return attempt(call, deadline, 0);
    }

    private static <T> Uni<T> attempt(Uni<T> call, Instant deadline, int retries) {
        return call.onFailure(failure -> code(failure) == Status.Code.UNAVAILABLE).recoverWithUni(failure -> {
            Duration wait = backoff(retries);
            boolean untilDeadline = !ProviderOutage.is(failure);
            if (!untilDeadline && retries >= BRIEF_RETRIES || Instant.now().plus(wait).isAfter(deadline)) {
                return Uni.createFrom().failure(failure);
            }
            return Uni.createFrom().voidItem().onItem().delayIt().by(wait).flatMap(ignored -> attempt(call, deadline, retries + 1));
        });
    }

    /** 100 ms, doubling, at most 2 s, with up to half of it as jitter so that waiting calls do not come back together. */
    private static Duration backoff(int retries) {
        long millis = Math.min(2000, 100L << Math.min(retries, 5));
        return Duration.ofMillis(millis / 2 + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
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
