package dev.polymux.dispatch.toolcall.service;

import java.time.Duration;

import dev.polymux.dispatch.toolcall.ErrorCode;

/**
 * Ends a call with an error result: the code, a sentence for the workflow's author (never a secret), and for retriable
 * codes when to try again. Thrown anywhere in the pipeline and turned into the one result at its end.
 */
public final class CallFailure extends RuntimeException {

    private final ErrorCode code;
    private final Duration retryAfter;

    public CallFailure(ErrorCode code, String message) {
        this(code, message, null);
    }

    public CallFailure(ErrorCode code, String message, Duration retryAfter) {
        super(message, null, false, false);
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public ErrorCode code() {
        return code;
    }

    /** When the engine may publish the call again; null when nobody said. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
