package dev.polymux.oauth.authorization.rest;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import dev.polymux.oauth.authorization.service.AuthorizationService;
import dev.polymux.oauth.authorization.service.BrowserBinding;
import io.smallrye.mutiny.Uni;

/**
 * The link authorize answers ({@code authorizeUrl}), opened by the person's browser: it works once, puts the
 * browser's binding cookie in place ({@link BrowserBinding}) and redirects (303) to the provider's authorize URL. No
 * bearer token here: the state in the link is the secret. Unknown, expired, used and already opened links are
 * refused with a sentence (problem+json 400).
 */
@Path(AuthorizationService.START_PATH)
@Tag(name = "Authorization")
@PermitAll
public class StartResource {

    private final AuthorizationService authorization;
    private final BrowserBinding binding;

    public StartResource(AuthorizationService authorization, BrowserBinding binding) {
        this.authorization = authorization;
        this.binding = binding;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Opens an authorize link in the person's browser (once): sets its binding cookie, redirects to the provider")
    public Uni<RestResponse<Void>> start(@QueryParam("state") String state) {
        return authorization.start(state).map(started -> RestResponse.ResponseBuilder.<Void>seeOther(started.providerUrl())
                .header(HttpHeaders.SET_COOKIE, binding.setCookie(started.cookieName(), started.binder(), started.validFor()))
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .header("Referrer-Policy", "no-referrer")
                .build());
    }
}
