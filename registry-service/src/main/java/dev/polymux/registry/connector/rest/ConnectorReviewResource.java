package dev.polymux.registry.connector.rest;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.common.security.CallerIdentity;
import dev.polymux.registry.listing.rest.Decision;
import dev.polymux.registry.listing.rest.PlatformRoles;
import dev.polymux.registry.marketplace.ApiExamples;
import dev.polymux.common.security.Roles;
import dev.polymux.registry.connector.service.ConnectorCatalogService;
import io.smallrye.mutiny.Uni;

/**
 * The platform's side for connections, kept for existing clients: an alias of {@code /reviews/listings/connection/...}
 * (same service, same rules, connector-shaped answers), marked with Deprecation and Link headers
 * ({@link dev.polymux.registry.listing.rest.LegacyEndpoints}).
 */
// Deprecated in the OpenAPI document too: clients see the successor before the alias goes.
@Deprecated(since = "the listing API")
@Path("/reviews/connectors")
@Tag(name = "Connector review")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ConnectorReviewResource {

    private final ConnectorCatalogService catalog;
    private final CallerIdentity caller;
    private final PlatformRoles platform;
    private final ObjectMapper mapper;

    public ConnectorReviewResource(ConnectorCatalogService catalog, CallerIdentity caller, PlatformRoles platform, ObjectMapper mapper) {
        this.catalog = catalog;
        this.caller = caller;
        this.platform = platform;
        this.mapper = mapper;
    }

    @GET
    @RolesAllowed(Roles.REVIEWER)
    @Operation(summary = "Connector versions waiting for review, oldest submission first, with the automated findings")
    public Uni<List<ConnectorView>> queue() {
        platform.require(Roles.REVIEWER, "review connectors");
        return catalog.reviewQueue().map(versions -> versions.stream().map(v -> ConnectorView.of(v, mapper)).toList());
    }

    @POST
    @Path("/{connectorId}/versions/{version}/approve")
    @RolesAllowed(Roles.REVIEWER)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "example", value = ApiExamples.DECISION)))
    @Operation(summary = "Approve a version in review; it appears in the marketplace")
    public Uni<ConnectorView> approve(@PathParam("connectorId") String connectorId, @PathParam("version") String version,
            @Valid Decision decision) {
        platform.require(Roles.REVIEWER, "review connectors");
        return catalog.approve(caller.subject(), connectorId, version, Decision.noteOf(decision))
                .map(v -> ConnectorView.of(v, mapper));
    }

    @POST
    @Path("/{connectorId}/versions/{version}/reject")
    @RolesAllowed(Roles.REVIEWER)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "example", value = ApiExamples.REJECTION)))
    @Operation(summary = "Reject a version in review, with a note for the author")
    public Uni<ConnectorView> reject(@PathParam("connectorId") String connectorId, @PathParam("version") String version,
            @Valid Decision decision) {
        platform.require(Roles.REVIEWER, "review connectors");
        return catalog.reject(caller.subject(), connectorId, version, Decision.noteOf(decision))
                .map(v -> ConnectorView.of(v, mapper));
    }

    @POST
    @Path("/{connectorId}/versions/{version}/deprecate")
    @RolesAllowed(Roles.ADMIN)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "example", value = ApiExamples.DECISION)))
    @Operation(summary = "Deprecate an approved version (the platform's admins)")
    public Uni<ConnectorView> deprecate(@PathParam("connectorId") String connectorId, @PathParam("version") String version,
            @Valid Decision decision) {
        platform.require(Roles.ADMIN, "deprecate connectors");
        return catalog.deprecate(connectorId, version, Decision.noteOf(decision)).map(v -> ConnectorView.of(v, mapper));
    }
}
