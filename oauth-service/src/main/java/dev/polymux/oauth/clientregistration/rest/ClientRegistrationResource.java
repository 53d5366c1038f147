package dev.polymux.oauth.clientregistration.rest;

import java.time.Instant;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
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
import org.jboss.resteasy.reactive.RestResponse;

import dev.polymux.common.problem.ProblemException;
import dev.polymux.common.security.CallerIdentity;
import dev.polymux.common.security.Roles;
import dev.polymux.oauth.authorization.service.AuthorizationService;
import dev.polymux.oauth.clientregistration.ClientRegistration;
import dev.polymux.oauth.clientregistration.service.ClientRegistrations;
import dev.polymux.oauth.config.OAuthConfig;
import io.smallrye.mutiny.Uni;

/**
 * OAuth clients registered with providers, write-only: the platform's default of a connector (the platform's admins)
 * and a tenant's own ("bring your own client", its installers), which wins for that tenant's installations. The
 * answer shows what to register at the provider (the redirect URI) and never the secret, only its fingerprint.
 */
@Path("/")
@Tag(name = "OAuth clients")
@Produces(MediaType.APPLICATION_JSON)
public class ClientRegistrationResource {

    private static final String EXAMPLE = "{\"clientId\":\"1234.apps.googleusercontent.com\",\"clientSecret\":\"GOCSPX-...\"}";

    /** The client to register; a public client (PKCE only) has no secret. */
    public record ClientRequest(String clientId, String clientSecret) {
    }

    /** A registered client as it may be shown. */
    public record ClientView(String connectorId, String owner, String clientId, boolean secretStored, String secretFingerprint,
            String registeredBy, Instant registeredAt, String redirectUri) {
    }

    private final ClientRegistrations registrations;
    private final AuthorizationService authorization;
    private final CallerIdentity caller;
    private final OAuthConfig config;

    public ClientRegistrationResource(ClientRegistrations registrations, AuthorizationService authorization, CallerIdentity caller,
            OAuthConfig config) {
        this.registrations = registrations;
        this.authorization = authorization;
        this.caller = caller;
        this.config = config;
    }

    @PUT
    @Path("/admin/oauth-clients/{connectorId}")
    @RolesAllowed(Roles.ADMIN)
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "example", value = EXAMPLE)))
    @Operation(summary = "Register (or replace) the platform's default OAuth client of a connector")
    public Uni<ClientView> registerPlatform(@PathParam("connectorId") String connectorId, ClientRequest request) {
        requirePlatformAdmin();
        return register(ClientRegistration.PLATFORM, connectorId, request);
    }

    @GET
    @Path("/admin/oauth-clients/{connectorId}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "The platform's default OAuth client of a connector (never its secret)")
    public Uni<ClientView> describePlatform(@PathParam("connectorId") String connectorId) {
        requirePlatformAdmin();
        return registrations.describe(ClientRegistration.PLATFORM, connectorId).map(this::view);
    }

    @DELETE
    @Path("/admin/oauth-clients/{connectorId}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Remove the platform's default OAuth client of a connector")
    public Uni<RestResponse<Void>> removePlatform(@PathParam("connectorId") String connectorId) {
        requirePlatformAdmin();
        return registrations.remove(ClientRegistration.PLATFORM, connectorId).map(done -> RestResponse.noContent());
    }

    @PUT
    @Path("/tenants/{tenant}/oauth-clients/{connectorId}")
    @RolesAllowed(Roles.INSTALLER)
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "example", value = EXAMPLE)))
    @Operation(summary = "Bring your own OAuth client: this tenant's installations of the connector use it instead of the platform's")
    public Uni<ClientView> registerTenant(@PathParam("tenant") String tenant, @PathParam("connectorId") String connectorId,
            ClientRequest request, UriInfo uri) {
        caller.requireTenant(tenant, uri.getPath());
        return register(tenant, connectorId, request);
    }

    @GET
    @Path("/tenants/{tenant}/oauth-clients/{connectorId}")
    @RolesAllowed(Roles.INSTALLER)
    @Operation(summary = "This tenant's own OAuth client of a connector (never its secret)")
    public Uni<ClientView> describeTenant(@PathParam("tenant") String tenant, @PathParam("connectorId") String connectorId, UriInfo uri) {
        caller.requireTenant(tenant, uri.getPath());
        return registrations.describe(tenant, connectorId).map(this::view);
    }

    @DELETE
    @Path("/tenants/{tenant}/oauth-clients/{connectorId}")
    @RolesAllowed(Roles.INSTALLER)
    @Operation(summary = "Remove this tenant's own OAuth client; its installations use the platform's again")
    public Uni<RestResponse<Void>> removeTenant(@PathParam("tenant") String tenant, @PathParam("connectorId") String connectorId,
            UriInfo uri) {
        caller.requireTenant(tenant, uri.getPath());
        return registrations.remove(tenant, connectorId).map(done -> RestResponse.noContent());
    }

    private Uni<ClientView> register(String owner, String connectorId, ClientRequest request) {
        if (request == null) {
            return Uni.createFrom().failure(ProblemException.invalid("Give the OAuth client.", java.util.List.of(
                    new dev.polymux.common.problem.Problem.InvalidParam("/clientId", "is required"))));
        }
        return registrations.register(owner, connectorId, request.clientId(), request.clientSecret(), caller.subject()).map(this::view);
    }

    /** Platform clients serve every tenant: only the platform tenant's admins manage them. */
    private void requirePlatformAdmin() {
        if (!config.platformTenant().equals(caller.tenant())) {
            throw ProblemException.forbidden("Only the platform's admins manage the platform's OAuth clients; a tenant brings its own under "
                    + "/tenants/{tenant}/oauth-clients.");
        }
    }

    private ClientView view(ClientRegistration row) {
        return new ClientView(row.connectorId, row.platform() ? "platform" : row.tenant, row.clientId, row.secretFingerprint != null,
                row.secretFingerprint, row.registeredBy, row.registeredAt, authorization.redirectUri().toString());
    }
}
