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
import dev.polymux.registry.plugin.service.PluginPublishingService;
import io.smallrye.mutiny.Uni;

/** Publishing plugins (authors). */
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
    @Operation(summary = "Publish a plugin version from its manifest (plugin-manifest.schema.json); connector versions are pinned")
    public Uni<RestResponse<PluginView>> publish(@PathParam("tenant") String tenant, JsonNode manifest, UriInfo uri) {
        caller.requireTenant(tenant, uri.getPath());
        return publishing.publish(tenant, caller.subject(), manifest).map(plugin -> RestResponse.ResponseBuilder
                .<PluginView> created(URI.create("/marketplace/plugins/" + plugin.pluginId + "?version=" + plugin.version))
                .entity(PluginView.of(plugin, mapper)).build());
    }
}
