package dev.polymux.registry.plugin.rest;

import java.net.URI;

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
import org.jboss.resteasy.reactive.RestResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.common.security.CallerIdentity;
import dev.polymux.registry.marketplace.ApiExamples;
import dev.polymux.common.security.Roles;
import dev.polymux.registry.listing.ReviewState;
import dev.polymux.registry.plugin.service.PluginPublishingService;
import io.smallrye.mutiny.Uni;

/**
 * One-step publishing, kept for existing clients (tests, bench, scripts that publish and install at once): creates a
 * plugin listing and submits it in the same transaction. Blocking findings answer 400 and store nothing, as always;
 * otherwise the version is approved at once when the operator's policy allows, or waits in review. The listing API
 * ({@code /tenants/{tenant}/listings}) is the successor; answers carry Deprecation and Link headers.
 */
// Deprecated in the OpenAPI document too: clients see the successor before the alias goes.
@Deprecated(since = "the listing API")
@Path("/tenants/{tenant}/plugins")
@Tag(name = "Plugins")
@Produces(MediaType.APPLICATION_JSON)
public class PluginResource {

    private final PluginPublishingService publishing;
    private final CallerIdentity caller;
    private final ObjectMapper mapper;

    public PluginResource(PluginPublishingService publishing, CallerIdentity caller, ObjectMapper mapper) {
        this.publishing = publishing;
        this.caller = caller;
        this.mapper = mapper;
    }

    @POST
    @RolesAllowed(Roles.AUTHOR)
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "example", value = ApiExamples.PLUGIN_MANIFEST)))
    @Operation(summary = "Create and submit a plugin listing in one step (plugin-manifest.schema.json); connector versions are pinned;"
            + " approved at once when the operator's policy allows (state says which)")
    public Uni<RestResponse<PluginView>> publish(@PathParam("tenant") String tenant, JsonNode manifest, UriInfo uri) {
        caller.requireTenant(tenant, uri.getPath());
        return publishing.publish(tenant, caller.subject(), manifest).map(plugin -> RestResponse.ResponseBuilder
                .<PluginView> created(URI.create(plugin.reviewState() == ReviewState.APPROVED
                        ? "/marketplace/plugins/" + plugin.pluginId + "?version=" + plugin.version
                        : "/tenants/" + tenant + "/listings/plugin/" + plugin.pluginId + "/versions/" + plugin.version))
                .entity(PluginView.of(plugin, mapper)).build());
    }
}
