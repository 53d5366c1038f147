package dev.polymux.registry.connector.rest;

import java.net.URI;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
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
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.common.security.CallerIdentity;
import dev.polymux.registry.marketplace.ApiExamples;
import dev.polymux.common.security.Roles;
import dev.polymux.registry.connector.service.ConnectorCatalogService;
import dev.polymux.registry.listing.rest.ListingResource;
import io.smallrye.mutiny.Uni;

/**
 * Authors' connectors, kept for existing clients: an alias of {@code /tenants/{tenant}/listings} with type connection
 * (same service, same checks, connector-shaped answers), marked with Deprecation and Link headers
 * ({@link dev.polymux.registry.listing.rest.LegacyEndpoints}).
 */
// Deprecated in the OpenAPI document too: clients see the successor before the alias goes.
@Deprecated(since = "the listing API")
@Path("/tenants/{tenant}/connectors")
@Tag(name = "Connectors (authors)")
@RolesAllowed(Roles.AUTHOR)
@Produces(MediaType.APPLICATION_JSON)
public class ConnectorResource {

    private final ConnectorCatalogService catalog;
    private final CallerIdentity caller;
    private final ObjectMapper mapper;

    public ConnectorResource(ConnectorCatalogService catalog, CallerIdentity caller, ObjectMapper mapper) {
        this.catalog = catalog;
        this.caller = caller;
        this.mapper = mapper;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "example", value = ApiExamples.CONNECTOR_MANIFEST)))
    @Operation(summary = "Create a draft connector version from a manifest (connector-manifest.schema.json)")
    public Uni<RestResponse<ConnectorView>> create(@PathParam("tenant") String tenant, JsonNode manifest, UriInfo uri) {
        caller.requireTenant(tenant, uri.getPath());
        return catalog.createDraft(tenant, caller.subject(), manifest).map(created -> RestResponse.ResponseBuilder
                .<ConnectorView> created(URI.create(uri.getPath() + "/" + created.connectorId + "/versions/" + created.version))
                .entity(ConnectorView.of(created, mapper)).build());
    }

    @GET
    @Operation(summary = "List the tenant's connector versions, in every state")
    public Uni<List<ConnectorView>> list(@PathParam("tenant") String tenant, UriInfo uri) {
        caller.requireTenant(tenant, uri.getPath());
        return catalog.ownedBy(tenant).map(versions -> versions.stream().map(v -> ConnectorView.of(v, mapper)).toList());
    }

    @GET
    @Path("/{connectorId}/versions/{version}")
    @Operation(summary = "One of the tenant's connector versions, with its review findings")
    public Uni<ConnectorView> get(@PathParam("tenant") String tenant, @PathParam("connectorId") String connectorId,
            @PathParam("version") String version, UriInfo uri) {
        caller.requireTenant(tenant, uri.getPath());
        return catalog.ownedVersion(tenant, connectorId, version).map(v -> ConnectorView.of(v, mapper));
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @Path("/{connectorId}/versions/{version}")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "example", value = ApiExamples.CONNECTOR_MANIFEST)))
    @Operation(summary = "Replace a draft's manifest (drafts only)")
    public Uni<ConnectorView> update(@PathParam("tenant") String tenant, @PathParam("connectorId") String connectorId,
            @PathParam("version") String version, JsonNode manifest, UriInfo uri) {
        caller.requireTenant(tenant, uri.getPath());
        return catalog.updateDraft(tenant, caller.subject(), connectorId, version, manifest).map(v -> ConnectorView.of(v, mapper));
    }

    @POST
    @Path("/{connectorId}/versions/{version}/submit")
    @Operation(summary = "Run the automated review checks and submit the draft for review")
    public Uni<ConnectorView> submit(@PathParam("tenant") String tenant, @PathParam("connectorId") String connectorId,
            @PathParam("version") String version, UriInfo uri) {
        caller.requireTenant(tenant, uri.getPath());
        return catalog.submit(tenant, caller.subject(), connectorId, version)
                .map(submission -> ConnectorView.of(ListingResource.unblocked(submission), mapper));
    }
}
