package dev.polymux.oauth.authorization.rest;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import dev.polymux.common.problem.ProblemException;
import dev.polymux.common.problem.ProblemType;
import dev.polymux.oauth.authorization.service.AuthorizationService;
import dev.polymux.oauth.authorization.service.BrowserBinding;
import dev.polymux.oauth.authorization.service.StateKeys;
import dev.polymux.oauth.config.OAuthConfig;
import io.smallrye.mutiny.Uni;

/**
 * Where providers send the person back (the redirect URI: APP_URL + {@value OAuthConfig#CALLBACK_PATH}). No bearer
 * token here: the single-use state and the binding cookie of the browser that opened the link authenticate the
 * request, and {@code iss} (RFC 9207) must name the connector's authorization server. With a return URL the person is
 * redirected there with {@code polymux_status}, {@code installation} and {@code message}; without one the answer is
 * JSON. Refusals before the state is used (unknown, expired or used link, another browser, another issuer) are
 * problem+json 400 and change nothing.
 */
@Path(OAuthConfig.CALLBACK_PATH)
@Tag(name = "Authorization")
@PermitAll
public class CallbackResource {

    /** What a callback without a return URL answers. */
    public record CallbackView(String status, String installationId, String message) {
    }

    private final AuthorizationService authorization;
    private final BrowserBinding binding;

    public CallbackResource(AuthorizationService authorization, BrowserBinding binding) {
        this.authorization = authorization;
        this.binding = binding;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The provider's redirect after the person allowed (or declined) access")
    public Uni<RestResponse<CallbackView>> callback(@QueryParam("state") String state, @QueryParam("code") String code,
            @QueryParam("error") String error, @QueryParam("error_description") String errorDescription, @QueryParam("iss") String iss,
            @Context HttpHeaders headers) {
        Cookie cookie = state == null || state.isBlank() ? null : headers.getCookies().get(BrowserBinding.cookieName(StateKeys.hash(state)));
        return authorization.callback(state, code, error, errorDescription, iss, cookie == null ? null : cookie.getValue()).map(outcome -> {
            String status = outcome.connected() ? "connected" : "failed";
            String cleared = binding.clearCookie(outcome.cookieName()); // the link is used up either way
            if (outcome.returnUrl() != null) {
                String separator = outcome.returnUrl().contains("?") ? "&" : "?";
                return RestResponse.ResponseBuilder.<CallbackView>seeOther(URI.create(outcome.returnUrl() + separator + "polymux_status=" + status
                        + "&installation=" + encode(outcome.installationId()) + "&message=" + encode(outcome.message())))
                        .header(HttpHeaders.SET_COOKIE, cleared).build();
            }
            if (!outcome.connected()) {
                throw new ProblemException(ProblemType.BAD_REQUEST, outcome.message());
            }
            return RestResponse.ResponseBuilder.ok(new CallbackView(status, outcome.installationId(), outcome.message()))
                    .header(HttpHeaders.SET_COOKIE, cleared).build();
        });
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
