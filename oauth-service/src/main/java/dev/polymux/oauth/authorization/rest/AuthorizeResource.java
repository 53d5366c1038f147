package dev.polymux.oauth.authorization.rest;

import java.time.Instant;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.polymux.common.security.CallerIdentity;
import dev.polymux.common.security.Roles;
import dev.polymux.oauth.authorization.service.AuthorizationService;
import io.smallrye.mutiny.Uni;

/** Starts (or restarts, for a broken connection) the OAuth grant of a tenant's installation. */
@Path("/tenants/{tenant}/installations/{installationId}/authorize")
@Tag(name = "Authorization")
@RolesAllowed(Roles.INSTALLER)
@Produces(MediaType.APPLICATION_JSON)
public class AuthorizeResource {

    /** Where to send the person after the callback; must be on an allowed origin. Optional. */
    public record AuthorizeRequest(String returnUrl) {
    }

    /**
     * The provider URL to send the person's browser to, and until when it works. A client-credentials connector needs
     * no person: then there is no URL and {@code connected} is true at once.
     */
    public record AuthorizeView(String authorizeUrl, Instant expiresAt, boolean connected) {
    }

    private final AuthorizationService authorization;
    private final CallerIdentity caller;

    public AuthorizeResource(AuthorizationService authorization, CallerIdentity caller) {
        this.authorization = authorization;
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(required = false, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "example", value = "{\"returnUrl\":\"https://app.example.com/connections\"}")))
    @Operation(summary = "The provider's authorize URL for this installation: single-use, bound to it, valid 10 minutes")
    public Uni<AuthorizeView> authorize(@PathParam("tenant") String tenant, @PathParam("installationId") String installationId,
            AuthorizeRequest request, UriInfo uri) {
        caller.requireTenant(tenant, uri.getPath());
        return authorization.authorize(tenant, installationId, request == null ? null : request.returnUrl(), caller.subject())
                .map(link -> new AuthorizeView(link.authorizeUrl() == null ? null : link.authorizeUrl().toString(), link.expiresAt(),
                        link.connected()));
    }
}
