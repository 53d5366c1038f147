package dev.polymux.connector.sdk;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * About the call being dispatched: its id (also the idempotency key for providers that accept one), who it is for,
 * by when it must be done, and the W3C trace context to carry into provider calls.
 */
public record DispatchContext(String callId, String tenantId, String installationId, Instant deadline, String traceparent) {

    public DispatchContext {
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(deadline, "deadline");
    }

    /** Time left until the deadline, never negative. */
    public Duration remaining(Instant now) {
        Duration left = Duration.between(now, deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }
}
