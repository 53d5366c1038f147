package dev.polymux.common.problem;

import java.net.URI;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An RFC 9457 problem details body, the only error body any Polymux REST API returns.
 *
 * @param type     identifies the kind of problem; documented in docs/problems.md
 * @param title    short, stable summary of the kind of problem
 * @param status   the HTTP status code, repeated for clients that only see the body
 * @param detail   what went wrong this time, in a sentence a person can act on; never holds a secret value
 * @param instance the request path the problem occurred on
 * @param errors   one entry per invalid input, located by JSON pointer (RFC 6901)
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(URI type, String title, int status, String detail, URI instance, List<InvalidParam> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** An invalid input: where it is (JSON pointer into the request, or a parameter name) and what is wrong. */
    @RegisterForReflection
    public record InvalidParam(String pointer, String message) {
    }
}
