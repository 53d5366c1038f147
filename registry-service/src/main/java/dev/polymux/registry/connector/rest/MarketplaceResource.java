package dev.polymux.registry.connector.rest;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
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

import dev.polymux.registry.connector.service.MarketplaceService;
import dev.polymux.registry.marketplace.PageView;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;

/** The marketplace's Connections tab: what plugin authors can declare in their manifests. */
@Path("/marketplace/connectors")
@Tag(name = "Marketplace")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class MarketplaceResource {

    private final MarketplaceService marketplace;
    private final ObjectMapper mapper;

    public MarketplaceResource(MarketplaceService marketplace, ObjectMapper mapper) {
        this.marketplace = marketplace;
        this.mapper = mapper;
    }

    @GET
    @Operation(summary = "Approved connectors, newest version each, filtered by kind and text")
    public Uni<PageView<ConnectorView>> list(@QueryParam("kind") @Pattern(regexp = "vault|oauth|integration") String kind,
            @QueryParam("q") @jakarta.validation.constraints.Size(max = 100) String text,
            @QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("20") @Min(1) @Max(100) int size) {
        String query = text == null || text.isBlank() ? null : text.trim();
        return marketplace.connectors(kind, query, page, size)
                .map(listing -> new PageView<>(listing.items().stream().map(ConnectorView::summary).toList(), page, size, listing.total()));
    }

    @GET
    @Path("/{connectorId}")
    @Operation(summary = "A connector's manifest: the newest approved version, or the version asked for")
    public Uni<ConnectorView> get(@PathParam("connectorId") String connectorId,
            @QueryParam("version") @Pattern(regexp = "[0-9]+\\.[0-9]+\\.[0-9]+") String version) {
        return marketplace.connector(connectorId, version).map(v -> ConnectorView.of(v, mapper));
    }
}
