package dev.polymux.registry.installation.rest;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
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
import org.jboss.resteasy.reactive.RestResponse;

import dev.polymux.common.security.CallerIdentity;
import dev.polymux.registry.marketplace.ApiExamples;
import dev.polymux.common.security.Roles;
import dev.polymux.registry.installation.service.InstallationService;
import io.smallrye.mutiny.Uni;

/** A tenant's installations: install a plugin (one installation per connection key), follow their status, uninstall. */
@Path("/tenants/{tenant}/installations")
@Tag(name = "Installations")
@RolesAllowed(Roles.INSTALLER)
@Produces(MediaType.APPLICATION_JSON)
public class InstallationResource {

    /** What to install: a plugin, at its newest version unless one is given. */
    public record InstallRequest(@NotBlank String pluginId, @Pattern(regexp = "[0-9]+\\.[0-9]+\\.[0-9]+") String pluginVersion) {
    }

    private final InstallationService installations;
    private final CallerIdentity caller;

    public InstallationResource(InstallationService installations, CallerIdentity caller) {
        this.installations = installations;
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "example", value = ApiExamples.INSTALL)))
    @Operation(summary = "Install a plugin: one pending installation per connection key")
    public Uni<RestResponse<List<InstallationView>>> install(@PathParam("tenant") String tenant, @Valid InstallRequest request, UriInfo uri) {
        caller.requireTenant(tenant, uri.getPath());
        return installations.install(tenant, request.pluginId(), request.pluginVersion())
                .map(created -> RestResponse.status(RestResponse.Status.CREATED, created.stream().map(InstallationView::of).toList()));
    }

    @GET
    @Operation(summary = "The tenant's installations, revoked ones included")
    public Uni<List<InstallationView>> list(@PathParam("tenant") String tenant, UriInfo uri) {
        caller.requireTenant(tenant, uri.getPath());
        return installations.ofTenant(tenant).map(all -> all.stream().map(InstallationView::of).toList());
    }

    @GET
    @Path("{installationId}")
    @Operation(summary = "One installation and its status, with the reason when it is broken or revoked")
    public Uni<InstallationView> get(@PathParam("tenant") String tenant, @PathParam("installationId") String id, UriInfo uri) {
        caller.requireTenant(tenant, uri.getPath());
        return installations.owned(tenant, id).map(InstallationView::of);
    }

    @DELETE
    @Path("by-plugin/{pluginId}")
    @Operation(summary = "Uninstall a plugin: its installations are revoked and their secrets and grants deleted")
    public Uni<List<InstallationView>> uninstall(@PathParam("tenant") String tenant, @PathParam("pluginId") String pluginId, UriInfo uri) {
        caller.requireTenant(tenant, uri.getPath());
        return installations.uninstall(tenant, pluginId, caller.subject()).map(revoked -> revoked.stream().map(InstallationView::of).toList());
    }
}
