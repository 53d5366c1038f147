package dev.polymux.registry.connector.rest;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
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

import dev.polymux.common.problem.ProblemException;
import dev.polymux.common.security.CallerIdentity;
import dev.polymux.registry.config.RegistryConfig;
import dev.polymux.registry.marketplace.ApiExamples;
import dev.polymux.common.security.Roles;
import dev.polymux.registry.connector.service.ConnectorCatalogService;
import io.smallrye.mutiny.Uni;

/**
 * The platform's side: the queue, approval or rejection (never by anyone who created, edited or submitted the version),
 * deprecation (admins). Every tenant's connectors pass through here, so the reviewer and admin roles count only in
 * the platform tenant: a tenant that gives its own people the role must not review its own or its rivals' work.
 */
@Path("/reviews/connectors")
@Tag(name = "Connector review")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ConnectorReviewResource {

    /** The reviewer's decision; a rejection needs a note the author can act on. */
    public record Decision(@Size(max = 4000) String note) {
    }

    private final ConnectorCatalogService catalog;
    private final CallerIdentity caller;
    private final RegistryConfig config;
    private final ObjectMapper mapper;

    public ConnectorReviewResource(ConnectorCatalogService catalog, CallerIdentity caller, RegistryConfig config, ObjectMapper mapper) {
        this.catalog = catalog;
        this.caller = caller;
        this.config = config;
        this.mapper = mapper;
    }

    @GET
    @RolesAllowed(Roles.REVIEWER)
    @Operation(summary = "Connector versions waiting for review, oldest submission first, with the automated findings")
    public Uni<List<ConnectorView>> queue() {
        requirePlatform(Roles.REVIEWER, "review connectors");
        return catalog.reviewQueue().map(versions -> versions.stream().map(v -> ConnectorView.of(v, mapper)).toList());
    }

    @POST
    @Path("/{connectorId}/versions/{version}/approve")
    @RolesAllowed(Roles.REVIEWER)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "example", value = ApiExamples.DECISION)))
    @Operation(summary = "Approve a version in review; it appears in the marketplace")
    public Uni<ConnectorView> approve(@PathParam("connectorId") String connectorId, @PathParam("version") String version,
            @Valid Decision decision) {
        requirePlatform(Roles.REVIEWER, "review connectors");
        return catalog.approve(caller.subject(), connectorId, version, decision == null ? null : decision.note())
                .map(v -> ConnectorView.of(v, mapper));
    }

    @POST
    @Path("/{connectorId}/versions/{version}/reject")
    @RolesAllowed(Roles.REVIEWER)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "example", value = ApiExamples.DECISION)))
    @Operation(summary = "Reject a version in review, with a note for the author")
    public Uni<ConnectorView> reject(@PathParam("connectorId") String connectorId, @PathParam("version") String version,
            @Valid Decision decision) {
        requirePlatform(Roles.REVIEWER, "review connectors");
        return catalog.reject(caller.subject(), connectorId, version, decision == null ? null : decision.note())
                .map(v -> ConnectorView.of(v, mapper));
    }

    @POST
    @Path("/{connectorId}/versions/{version}/deprecate")
    @RolesAllowed(Roles.ADMIN)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "example", value = ApiExamples.DECISION)))
    @Operation(summary = "Deprecate an approved version (the platform's admins)")
    public Uni<ConnectorView> deprecate(@PathParam("connectorId") String connectorId, @PathParam("version") String version,
            @Valid Decision decision) {
        requirePlatform(Roles.ADMIN, "deprecate connectors");
        return catalog.deprecate(connectorId, version, decision == null ? null : decision.note()).map(v -> ConnectorView.of(v, mapper));
    }

    /** The caller's role (already checked by @RolesAllowed) counts only if their token acts for the platform tenant. */
    private void requirePlatform(String role, String action) {
        String tenant = caller.tenant();
        if (!tenant.equals(config.platformTenant())) {
            throw ProblemException.forbidden("Only the platform's " + role + "s " + action + "; the " + role + " role of tenant "
                    + tenant + " does not count here.");
        }
    }
}
