package dev.polymux.registry.plugin.rest;

import java.net.URI;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.common.security.CallerIdentity;
import dev.polymux.common.security.Roles;
import dev.polymux.registry.marketplace.PageView;
import dev.polymux.registry.plugin.repository.PluginVersionRepository;
import dev.polymux.registry.plugin.service.PluginPublishingService;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;

/** Publishing plugins (authors) and the marketplace's Plugins tab (anyone with a token). */
@Path("/")
@Tag(name = "Plugins")
@Produces(MediaType.APPLICATION_JSON)
public class PluginResource {

    private final PluginPublishingService publishing;
    private final PluginVersionRepository plugins;
    private final CallerIdentity caller;
    private final ObjectMapper mapper;

    public PluginResource(PluginPublishingService publishing, PluginVersionRepository plugins, CallerIdentity caller, ObjectMapper mapper) {
        this.publishing = publishing;
        this.plugins = plugins;
        this.caller = caller;
        this.mapper = mapper;
    }

    @POST
    @Path("tenants/{tenant}/plugins")
    @RolesAllowed(Roles.AUTHOR)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Publish a plugin version from its manifest (plugin-manifest.schema.json); connector versions are pinned")
    public Uni<RestResponse<PluginView>> publish(@PathParam("tenant") String tenant, JsonNode manifest, UriInfo uri) {
        caller.requireTenant(tenant, uri.getPath());
        return publishing.publish(tenant, caller.subject(), manifest).map(plugin -> RestResponse.ResponseBuilder
                .<PluginView> created(URI.create("/marketplace/plugins/" + plugin.pluginId + "?version=" + plugin.version))
                .entity(PluginView.of(plugin, mapper)).build());
    }

    @GET
    @Path("marketplace/plugins")
    @Authenticated
    @WithSession
    @Operation(summary = "Plugins, newest version each, filtered by text")
    public Uni<PageView<PluginView>> list(@QueryParam("q") @Size(max = 100) String text,
            @QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("20") @Min(1) @Max(100) int size) {
        String query = text == null || text.isBlank() ? null : text.trim();
        return plugins.marketplace(query, page, size).flatMap(items -> plugins.countMarketplace(query)
                .map(total -> new PageView<>(items.stream().map(PluginView::summary).toList(), page, size, total)));
    }

    @GET
    @Path("marketplace/plugins/{pluginId}")
    @Authenticated
    @Operation(summary = "A plugin's manifest: the newest version, or the version asked for")
    public Uni<PluginView> get(@PathParam("pluginId") String pluginId,
            @QueryParam("version") @Pattern(regexp = "[0-9]+\\.[0-9]+\\.[0-9]+") String version) {
        return publishing.published(pluginId, version).map(plugin -> PluginView.of(plugin, mapper));
    }
}
