package dev.polymux.common.problem;

import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import io.quarkus.hibernate.validator.runtime.jaxrs.ResteasyReactiveViolationException;

/**
 * The one table from exception to problem+json response, shared by every service.
 * <p>
 * Messages of unexpected exceptions never reach the caller (they may quote input, including secrets):
 * the caller gets an error id, the log gets the exception under the same id.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public RestResponse<Problem> problem(ProblemException e, UriInfo uri) {
        return respond(e.type(), e.getMessage(), uri, e.errors());
    }

    @ServerExceptionMapper
    public RestResponse<Problem> violation(ResteasyReactiveViolationException e, UriInfo uri) {
        return violations(e, uri);
    }

    @ServerExceptionMapper
    public RestResponse<Problem> violation(ConstraintViolationException e, UriInfo uri) {
        return violations(e, uri);
    }

    @ServerExceptionMapper
    public RestResponse<Problem> malformedJson(JacksonException e, UriInfo uri) {
        // The parser's own message may echo part of the body, so only its location is reported.
        JsonLocation location = e.getLocation();
        String where = location == null || location.getLineNr() < 0 ? ""
                : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
        return respond(ProblemType.MALFORMED_JSON, "The request body could not be read as JSON" + where + ".", uri, List.of());
    }

    /** Well-formed JSON of the wrong shape: the pointer and what is wrong, never the value (it may be a secret). */
    @ServerExceptionMapper
    public RestResponse<Problem> mismatchedJson(MismatchedInputException e, UriInfo uri) {
        StringBuilder pointer = new StringBuilder();
        for (JsonMappingException.Reference reference : e.getPath()) {
            pointer.append('/').append(reference.getFieldName() != null
                    ? reference.getFieldName().replace("~", "~0").replace("/", "~1")
                    : String.valueOf(reference.getIndex()));
        }
        String message = e instanceof UnrecognizedPropertyException ? "is not a known property"
                : "does not have the expected type or form";
        return respond(ProblemType.VALIDATION_FAILED, "The request body does not have the expected shape.", uri,
                List.of(new Problem.InvalidParam(pointer.isEmpty() ? "/" : pointer.toString(), message)));
    }

    @ServerExceptionMapper
    public RestResponse<Problem> framework(WebApplicationException e, UriInfo uri) {
        if (e.getCause() instanceof MismatchedInputException mismatch) {
            return mismatchedJson(mismatch, uri);
        }
        if (e.getCause() instanceof JacksonException json) {
            return malformedJson(json, uri);
        }
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            return internalError(e, uri);
        }
        Response.StatusType statusType = Response.Status.fromStatusCode(status);
        String detail = switch (status) {
            case 404 -> "Nothing exists at " + uri.getPath() + ".";
            case 405 -> "This path does not accept that HTTP method.";
            case 406 -> "This path cannot answer in any of the accepted media types.";
            case 415 -> "This path does not accept that content type.";
            default -> statusType == null ? "The request was refused." : statusType.getReasonPhrase() + ".";
        };
        return respond(ProblemType.forStatus(status), detail, uri, List.of());
    }

    @ServerExceptionMapper
    public RestResponse<Problem> unauthenticated(io.quarkus.security.AuthenticationFailedException e, UriInfo uri) {
        return respond(ProblemType.UNAUTHENTICATED, "The bearer token is missing, expired or not valid here.", uri, List.of());
    }

    @ServerExceptionMapper
    public RestResponse<Problem> unauthorized(io.quarkus.security.UnauthorizedException e, UriInfo uri) {
        return respond(ProblemType.UNAUTHENTICATED, "This call needs a bearer token.", uri, List.of());
    }

    @ServerExceptionMapper
    public RestResponse<Problem> forbidden(io.quarkus.security.ForbiddenException e, UriInfo uri) {
        return respond(ProblemType.FORBIDDEN, "Your role does not allow this call.", uri, List.of());
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public RestResponse<Problem> unexpected(Throwable e, UriInfo uri) {
        return internalError(e, uri);
    }

    private RestResponse<Problem> internalError(Throwable e, UriInfo uri) {
        String errorId = UUID.randomUUID().toString();
        LOG.errorf(e, "Unexpected error %s on %s", errorId, uri.getPath());
        return respond(ProblemType.INTERNAL_ERROR,
                "Something went wrong on our side; quote error id " + errorId + " when reporting it.", uri, List.of());
    }

    private RestResponse<Problem> violations(ConstraintViolationException e, UriInfo uri) {
        if (e.getConstraintViolations().stream().anyMatch(ProblemMappers::isReturnValue)) {
            // Our own response broke its contract: a bug on our side, not the caller's.
            return internalError(e, uri);
        }
        List<Problem.InvalidParam> errors = e.getConstraintViolations().stream()
                .map(v -> new Problem.InvalidParam(pointer(v), v.getMessage()))
                .sorted(Comparator.comparing(Problem.InvalidParam::pointer))
                .toList();
        String detail = errors.size() == 1 ? "One input is not valid." : errors.size() + " inputs are not valid.";
        return respond(ProblemType.VALIDATION_FAILED, detail, uri, errors);
    }

    private static boolean isReturnValue(ConstraintViolation<?> violation) {
        for (Path.Node node : violation.getPropertyPath()) {
            if (node.getKind() == ElementKind.RETURN_VALUE) {
                return true;
            }
        }
        return false;
    }

    /** "create.manifest.label" (method, parameter, property) becomes "/manifest/label": method and parameter names mean nothing to callers. */
    static String pointer(ConstraintViolation<?> violation) {
        String[] nodes = violation.getPropertyPath().toString().split("\\.");
        StringBuilder pointer = new StringBuilder();
        for (int i = Math.min(2, nodes.length - 1); i < nodes.length; i++) {
            pointer.append('/').append(nodes[i].replace("~", "~0").replace("/", "~1"));
        }
        return pointer.isEmpty() ? "/" : pointer.toString();
    }

    static RestResponse<Problem> respond(ProblemType type, String detail, UriInfo uri, List<Problem.InvalidParam> errors) {
        Problem body = new Problem(type.uri(), type.title(), type.status(), detail, URI.create(uri.getPath()), errors);
        return RestResponse.ResponseBuilder.<Problem> create(type.status()).entity(body).type(Problem.MEDIA_TYPE).build();
    }
}
