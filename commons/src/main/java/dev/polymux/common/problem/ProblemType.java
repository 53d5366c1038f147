package dev.polymux.common.problem;

import java.net.URI;

/**
 * The problem types every service shares. Each maps to one HTTP status and one stable title;
 * the per-occurrence sentence goes in {@link Problem#detail()}. Documented in docs/problems.md.
 */
public enum ProblemType {
    BAD_REQUEST(400, "Bad request"),
    VALIDATION_FAILED(400, "The request is not valid"),
    MALFORMED_JSON(400, "The request body is not valid JSON"),
    UNAUTHENTICATED(401, "Authentication required"),
    FORBIDDEN(403, "Not allowed"),
    NOT_FOUND(404, "Not found"),
    METHOD_NOT_ALLOWED(405, "Method not allowed"),
    NOT_ACCEPTABLE(406, "Not acceptable"),
    CONFLICT(409, "Conflict"),
    PAYLOAD_TOO_LARGE(413, "Request too large"),
    UNSUPPORTED_MEDIA_TYPE(415, "Unsupported media type"),
    STATE_CONFLICT(422, "Not possible in the current state"),
    TOO_MANY_REQUESTS(429, "Too many requests"),
    INTERNAL_ERROR(500, "Internal error"),
    UNAVAILABLE(503, "Temporarily unavailable");

    private static final String BASE = "https://docs.polymux.dev/problems/";

    private final int status;
    private final String title;

    ProblemType(int status, String title) {
        this.status = status;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public URI uri() {
        return URI.create(BASE + name().toLowerCase().replace('_', '-'));
    }

    /** The shared type for an HTTP status raised by the framework itself (unknown path, wrong method...). */
    public static ProblemType forStatus(int status) {
        for (ProblemType type : values()) {
            if (type.status == status && type != VALIDATION_FAILED && type != MALFORMED_JSON && type != STATE_CONFLICT) {
                return type;
            }
        }
        if (status == 422) {
            return STATE_CONFLICT;
        }
        return status >= 500 ? INTERNAL_ERROR : BAD_REQUEST;
    }
}
