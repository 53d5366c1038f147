package dev.polymux.console.web;

import java.util.List;

/**
 * A service answered with an RFC 9457 problem (or could not be reached): what the page shows is {@link #detail()}, a
 * sentence, and {@link #errors()} by JSON pointer, never a stack or a bare status.
 */
public class ServiceProblem extends RuntimeException {

    /** One invalid part of a request, located by a JSON pointer (problem+json {@code errors[]}). */
    public record FieldError(String pointer, String message) {
    }

    private final int status;
    private final String detail;
    private final List<FieldError> errors;

    public ServiceProblem(int status, String detail, List<FieldError> errors) {
        super(detail, null, false, false); // no stack: it is an answer, not a bug
        this.status = status;
        this.detail = detail;
        this.errors = errors == null ? List.of() : List.copyOf(errors);
    }

    public int status() {
        return status;
    }

    public String detail() {
        return detail;
    }

    public List<FieldError> errors() {
        return errors;
    }
}
