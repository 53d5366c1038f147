package dev.polymux.registry.plugin.rest;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.registry.marketplace.PageView;
import dev.polymux.registry.plugin.service.PluginPublishingService;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;

/** The marketplace's Plugins tab (anyone with a token). */
@Path("/marketplace/plugins")
@Tag(name = "Marketplace")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class PluginMarketplaceResource {

    private final PluginPublishingService publishing;
    private final ObjectMapper mapper;

    public PluginMarketplaceResource(PluginPublishingService publishing, ObjectMapper mapper) {
        this.publishing = publishing;
        this.mapper = mapper;
    }

    @GET
    @Operation(summary = "Approved plugins, newest approved version each, filtered by text")
    public Uni<PageView<PluginView>> list(@QueryParam("q") @Size(max = 100) String text,
            @QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("20") @Min(1) @Max(100) int size) {
        String query = text == null || text.isBlank() ? null : text.trim();
        return publishing.marketplace(query, page, size)
                .map(tab -> new PageView<>(tab.items().stream().map(PluginView::summary).toList(), page, size, tab.total()));
    }

    @GET
    @Path("{pluginId}")
    @Operation(summary = "A plugin's manifest: the newest approved version, or the version asked for (approved or deprecated)")
    public Uni<PluginView> get(@PathParam("pluginId") String pluginId,
            @QueryParam("version") @Pattern(regexp = "[0-9]+\\.[0-9]+\\.[0-9]+") String version) {
        return publishing.published(pluginId, version).map(plugin -> PluginView.of(plugin, mapper));
    }
}
