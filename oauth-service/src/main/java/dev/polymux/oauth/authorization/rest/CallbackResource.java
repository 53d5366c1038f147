package dev.polymux.oauth.authorization.rest;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import dev.polymux.common.problem.ProblemException;
import dev.polymux.common.problem.ProblemType;
import dev.polymux.oauth.authorization.service.AuthorizationService;
import dev.polymux.oauth.config.OAuthConfig;
import io.smallrye.mutiny.Uni;

/**
 * Where providers send the person back (the redirect URI: APP_URL + {@value OAuthConfig#CALLBACK_PATH}). No bearer
 * token here: the single-use state is what authenticates the request. With a return URL the person is redirected
 * there with {@code polymux_status}, {@code installation} and {@code message}; without one the answer is JSON.
 */
@Path(OAuthConfig.CALLBACK_PATH)
@Tag(name = "Authorization")
@PermitAll
public class CallbackResource {

    /** What a callback without a return URL answers. */
    public record CallbackView(String status, String installationId, String message) {
    }

    private final AuthorizationService authorization;

    public CallbackResource(AuthorizationService authorization) {
        this.authorization = authorization;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The provider's redirect after the person allowed (or declined) access")
    public Uni<RestResponse<CallbackView>> callback(@QueryParam("state") String state, @QueryParam("code") String code,
            @QueryParam("error") String error, @QueryParam("error_description") String errorDescription) {
        return authorization.callback(state, code, error, errorDescription).map(outcome -> {
            String status = outcome.connected() ? "connected" : "failed";
            if (outcome.returnUrl() != null) {
                String separator = outcome.returnUrl().contains("?") ? "&" : "?";
                return RestResponse.seeOther(URI.create(outcome.returnUrl() + separator + "polymux_status=" + status + "&installation="
                        + encode(outcome.installationId()) + "&message=" + encode(outcome.message())));
            }
            if (!outcome.connected()) {
                throw new ProblemException(ProblemType.BAD_REQUEST, outcome.message());
            }
            return RestResponse.ok(new CallbackView(status, outcome.installationId(), outcome.message()));
        });
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
