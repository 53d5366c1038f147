package dev.polymux.dispatch.toolcall;

/**
 * The error codes of dev.polymux.tool.result.v1 (README, "For workflow engine authors"), with whether publishing the
 * call again, with a new call id, may succeed.
 */
public enum ErrorCode {
    INVALID_EVENT(false),
    BAD_ARGUMENTS(false),
    UNKNOWN_TOOL(false),
    CONNECTION_NOT_FOUND(false),
    CONNECTION_NOT_ACTIVE(false),
    GRANT_BROKEN(false),
    CREDENTIALS_REJECTED(false),
    RATE_LIMITED(true),
    PROVIDER_ERROR(false),
    OUTPUT_TOO_LARGE(false),
    PROVIDER_UNAVAILABLE(true),
    DEADLINE_EXCEEDED(true),
    INTERNAL(true);

    private final boolean retriable;

    ErrorCode(boolean retriable) {
        this.retriable = retriable;
    }

    public boolean retriable() {
        return retriable;
    }
}
