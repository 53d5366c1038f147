package dev.polymux.console.web;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.ext.ResponseExceptionMapper;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Turns a service's error answer into a {@link ServiceProblem}: the problem's {@code detail} and {@code errors[]} when
 * it is problem+json (every Polymux service answers so, docs/problems.md), else a sentence of our own.
 */
public class ProblemResponseMapper implements ResponseExceptionMapper<ServiceProblem> {

    private static final Logger LOG = Logger.getLogger(ProblemResponseMapper.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 64 * 1024;

    @Override
    public ServiceProblem toThrowable(Response response) {
        int status = response.getStatus();
        JsonNode problem = null;
        if (response.hasEntity()) {
            try (InputStream body = response.readEntity(InputStream.class)) {
                problem = JSON.readTree(body.readNBytes(MAX_BODY));
            } catch (IOException | RuntimeException notJson) {
                LOG.debugf("A %d answer without a readable problem body", status);
            }
        }
        String detail = problem != null && problem.path("detail").isTextual() ? problem.path("detail").asText()
                : problem != null && problem.path("title").isTextual() ? problem.path("title").asText() + "."
                        : fallback(status);
        List<ServiceProblem.FieldError> errors = new ArrayList<>();
        if (problem != null) {
            for (JsonNode error : problem.path("errors")) {
                errors.add(new ServiceProblem.FieldError(error.path("pointer").asText(""), error.path("message").asText("")));
            }
        }
        return new ServiceProblem(status, detail, errors);
    }

    static String fallback(int status) {
        return switch (status) {
            case 401 -> "Your sign-in is no longer accepted; sign in again.";
            case 403 -> "Your roles do not allow this.";
            case 404 -> "There is nothing here.";
            case 429 -> "Too many requests right now; try again in a moment.";
            case 502, 503, 504 -> "The service is unavailable right now; try again in a moment.";
            default -> status >= 500 ? "The service failed to answer; try again in a moment." : "The service refused the request.";
        };
    }
}
