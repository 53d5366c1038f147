package dev.polymux.registry.listing.rest;

import java.net.URI;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.common.problem.Problem;
import dev.polymux.common.problem.ProblemException;
import dev.polymux.common.problem.ProblemType;
import dev.polymux.common.security.CallerIdentity;
import dev.polymux.common.security.Roles;
import dev.polymux.registry.listing.ListingType;
import dev.polymux.registry.listing.ListingVersion;
import dev.polymux.registry.listing.service.ListingService;
import dev.polymux.registry.listing.service.Submission;
import dev.polymux.registry.marketplace.ApiExamples;
import io.smallrye.mutiny.Uni;

/**
 * The Publish tab: one listing API for connections and plugins. A tenant's authors create drafts, edit them, and
 * submit them through the automated checks into review; another tenant's listings do not exist for them.
 */
@Path("/tenants/{tenant}/listings")
@Tag(name = "Listings (authors)")
@RolesAllowed(Roles.AUTHOR)
@Produces(MediaType.APPLICATION_JSON)
public class ListingResource {

    private static final String TYPE = "connection|plugin";

    private final ListingService listings;
    private final CallerIdentity caller;
    private final ObjectMapper mapper;

    public ListingResource(ListingService listings, CallerIdentity caller, ObjectMapper mapper) {
        this.listings = listings;
        this.caller = caller;
        this.mapper = mapper;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = {
            @ExampleObject(name = "plugin", value = ApiExamples.PLUGIN_LISTING),
            @ExampleObject(name = "connection", value = ApiExamples.CONNECTION_LISTING) }))
    @Operation(summary = "Create a draft listing: a connection (connector manifest) or a plugin (plugin manifest)")
    public Uni<RestResponse<ListingView>> create(@PathParam("tenant") String tenant, @Valid @NotNull ListingRequest request, UriInfo uri) {
        caller.requireTenant(tenant, uri.getPath());
        if (request.type() == null) {
            throw ProblemException.invalid("Say what the listing is.", List.of(new Problem.InvalidParam("/type", "must be 'connection' or 'plugin'")));
        }
        ListingType type = ListingType.of(request.type(), "/type");
        return listings.catalog(type).createDraft(tenant, caller.subject(), request.manifest()).map(created -> RestResponse.ResponseBuilder
                .<ListingView> created(URI.create(uri.getPath() + "/" + type.value() + "/" + created.listingId() + "/versions/" + created.version))
                .entity(ListingView.of(created, mapper)).build());
    }

    @GET
    @Operation(summary = "The tenant's listings of both types (or of one), in every state, with their findings")
    public Uni<List<ListingView>> list(@PathParam("tenant") String tenant, @QueryParam("type") @Pattern(regexp = TYPE) String type, UriInfo uri) {
        caller.requireTenant(tenant, uri.getPath());
        return listings.ofTenant(tenant, type == null ? null : ListingType.of(type, "type"))
                .map(found -> found.stream().map(v -> ListingView.of(v, mapper)).toList());
    }

    @GET
    @Path("/{type}/{id}/versions/{version}")
    @Operation(summary = "One of the tenant's listing versions, with its state and findings")
    public Uni<ListingView> get(@PathParam("tenant") String tenant, @PathParam("type") @Pattern(regexp = TYPE) String type,
            @PathParam("id") String id, @PathParam("version") String version, UriInfo uri) {
        caller.requireTenant(tenant, uri.getPath());
        return listings.catalog(ListingType.of(type, "type")).ownedVersion(tenant, id, version).map(v -> ListingView.of(v, mapper));
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @Path("/{type}/{id}/versions/{version}")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "plugin", value = ApiExamples.PLUGIN_LISTING)))
    @Operation(summary = "Replace a draft's manifest (drafts only)")
    public Uni<ListingView> update(@PathParam("tenant") String tenant, @PathParam("type") @Pattern(regexp = TYPE) String type,
            @PathParam("id") String id, @PathParam("version") String version, @Valid @NotNull ListingRequest request, UriInfo uri) {
        caller.requireTenant(tenant, uri.getPath());
        ListingType listingType = ListingType.of(type, "type");
        if (request.type() != null && !request.type().equals(listingType.value())) {
            throw ProblemException.invalid("A listing keeps its type.", List.of(new Problem.InvalidParam("/type", "must be " + listingType.value())));
        }
        return listings.catalog(listingType).updateDraft(tenant, caller.subject(), id, version, request.manifest())
                .map(v -> ListingView.of(v, mapper));
    }

    @POST
    @Path("/{type}/{id}/versions/{version}/submit")
    @Operation(summary = "Run the automated checks and submit the draft for review (plugins may be approved at once by the operator's policy)")
    public Uni<ListingView> submit(@PathParam("tenant") String tenant, @PathParam("type") @Pattern(regexp = TYPE) String type,
            @PathParam("id") String id, @PathParam("version") String version, UriInfo uri) {
        caller.requireTenant(tenant, uri.getPath());
        return listings.catalog(ListingType.of(type, "type")).submit(tenant, caller.subject(), id, version)
                .map(submission -> ListingView.of(unblocked(submission), mapper));
    }

    /**
     * The submitted version, or 422 with the findings that block it. The findings were committed with the draft first,
     * so the author reads them back with the version.
     */
    public static <T extends ListingVersion> T unblocked(Submission<T> submission) {
        if (!submission.blocking().isEmpty()) {
            throw new ProblemException(ProblemType.STATE_CONFLICT, "The automated review checks found "
                    + submission.blocking().size() + " problem(s) to fix before review.", submission.blocking().stream()
                            .map(f -> new Problem.InvalidParam(f.pointer(), f.check() + ": " + f.message())).toList());
        }
        return submission.version();
    }
}
