package dev.polymux.common.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The one UNAVAILABLE that callers must not retry for long: an OAuth provider's own outage (its token endpoint
 * answered 5xx or 429, or not at all), marked by a description that starts with {@value #PREFIX}. Retrying that until
 * the call's deadline would hammer the provider and step over its Retry-After; oauth-service backs off for it itself.
 * Any other UNAVAILABLE means that a Polymux service, or what it needs (its database, vault-service), is restarting or
 * unreachable for now, and waiting mends it: callers retry it until their deadline. The mark is in the description,
 * which every layer passes on unchanged.
 */
public final class ProviderOutage {

    static final String PREFIX = "provider unavailable: ";

    private ProviderOutage() {
    }

    public static StatusRuntimeException status(String description) {
        return Status.UNAVAILABLE.withDescription(PREFIX + description).asRuntimeException();
    }

    /** Whether a failure is such an answer. */
    public static boolean is(Throwable failure) {
        return failure instanceof StatusRuntimeException status && status.getStatus().getCode() == Status.Code.UNAVAILABLE
                && status.getStatus().getDescription() != null && status.getStatus().getDescription().startsWith(PREFIX);
    }
}
