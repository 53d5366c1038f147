package dev.polymux.vault.secret.rest;

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

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.common.security.CallerIdentity;
import dev.polymux.common.security.Roles;
import dev.polymux.vault.secret.service.CredentialService;
import io.smallrye.mutiny.Uni;

/**
 * Write-only credentials of a tenant's installations. PUT takes the values the connection's shape asks for; GET says
 * what is stored without ever returning a value; DELETE removes them.
 */
@Path("/tenants/{tenant}/credentials/{installationId}")
@Tag(name = "Credentials")
@RolesAllowed(Roles.INSTALLER)
@Produces(MediaType.APPLICATION_JSON)
public class CredentialResource {

    private static final String EXAMPLE = """
            {"value":"rk_test_51Hx...paste-your-restricted-key"}""";

    private final CredentialService credentials;
    private final CallerIdentity caller;

    public CredentialResource(CredentialService credentials, CallerIdentity caller) {
        this.credentials = credentials;
        this.caller = caller;
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(description = "Field name to value, exactly the fields of the connection's shape (single: its one field; "
            + "pair: username and password; tuple: its labelled fields).",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "single", value = EXAMPLE)))
    @Operation(summary = "Store the values of a vault or integration connection; the installation becomes active")
    public Uni<CredentialView> store(@PathParam("tenant") String tenant, @PathParam("installationId") String installationId,
            JsonNode values, UriInfo uri) {
        caller.requireTenant(tenant, uri.getPath());
        return credentials.storeValues(tenant, installationId, values, caller.subject()).map(CredentialView::of);
    }

    @GET
    @Operation(summary = "Which fields are stored, when and by whom, with fingerprints; never a value")
    public Uni<CredentialView> describe(@PathParam("tenant") String tenant, @PathParam("installationId") String installationId, UriInfo uri) {
        caller.requireTenant(tenant, uri.getPath());
        return credentials.describeValues(tenant, installationId).map(CredentialView::of);
    }

    @DELETE
    @Operation(summary = "Delete the stored values; the installation is pending until new ones are stored")
    public Uni<RestResponse<Void>> delete(@PathParam("tenant") String tenant, @PathParam("installationId") String installationId, UriInfo uri) {
        caller.requireTenant(tenant, uri.getPath());
        return credentials.deleteValues(tenant, installationId, caller.subject()).map(done -> RestResponse.noContent());
    }
}
