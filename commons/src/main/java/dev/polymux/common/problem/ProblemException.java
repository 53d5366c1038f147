package dev.polymux.common.problem;

import java.util.List;

/**
 * Thrown by service code for an expected failure the caller can act on. Becomes a problem+json response;
 * the detail sentence is shown to the caller as is, so it must never contain a secret value.
 */
public class ProblemException extends RuntimeException {

    private final ProblemType type;
    private final transient List<Problem.InvalidParam> errors;

    public ProblemException(ProblemType type, String detail) {
        this(type, detail, List.of());
    }

    public ProblemException(ProblemType type, String detail, List<Problem.InvalidParam> errors) {
        // No stack trace: these are expected outcomes, not bugs, and are cheap to raise.
        super(detail, null, false, false);
        this.type = type;
        this.errors = List.copyOf(errors);
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(ProblemType.NOT_FOUND, detail);
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(ProblemType.CONFLICT, detail);
    }

    public static ProblemException forbidden(String detail) {
        return new ProblemException(ProblemType.FORBIDDEN, detail);
    }

    public static ProblemException invalid(String detail, List<Problem.InvalidParam> errors) {
        return new ProblemException(ProblemType.VALIDATION_FAILED, detail, errors);
    }

    public ProblemType type() {
        return type;
    }

    public List<Problem.InvalidParam> errors() {
        return errors;
    }
}
