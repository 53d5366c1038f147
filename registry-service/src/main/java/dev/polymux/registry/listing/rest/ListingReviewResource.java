package dev.polymux.registry.listing.rest;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.common.security.CallerIdentity;
import dev.polymux.common.security.Roles;
import dev.polymux.registry.listing.ListingType;
import dev.polymux.registry.listing.service.ListingService;
import dev.polymux.registry.marketplace.ApiExamples;
import io.smallrye.mutiny.Uni;

/**
 * The platform's side of the publishing flow, for both types: the review queue, approval or rejection by a platform
 * reviewer who never created, edited or submitted the version, deprecation by a platform admin.
 */
@Path("/reviews/listings")
@Tag(name = "Listing review")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ListingReviewResource {

    private static final String TYPE = "connection|plugin";

    private final ListingService listings;
    private final CallerIdentity caller;
    private final PlatformRoles platform;
    private final ObjectMapper mapper;

    public ListingReviewResource(ListingService listings, CallerIdentity caller, PlatformRoles platform, ObjectMapper mapper) {
        this.listings = listings;
        this.caller = caller;
        this.platform = platform;
        this.mapper = mapper;
    }

    @GET
    @RolesAllowed(Roles.REVIEWER)
    @Operation(summary = "Listing versions waiting for review (of one type or both), oldest submission first, with their findings")
    public Uni<List<ListingView>> queue(@QueryParam("type") @Pattern(regexp = TYPE) String type) {
        platform.require(Roles.REVIEWER, "review listings");
        return listings.queue(type == null ? null : ListingType.of(type, "type"))
                .map(found -> found.stream().map(v -> ListingView.of(v, mapper)).toList());
    }

    @POST
    @Path("/{type}/{id}/versions/{version}/approve")
    @RolesAllowed(Roles.REVIEWER)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "example", value = ApiExamples.DECISION)))
    @Operation(summary = "Approve a version in review; it appears in the marketplace's Connections or Plugins tab at once")
    public Uni<ListingView> approve(@PathParam("type") @Pattern(regexp = TYPE) String type, @PathParam("id") String id,
            @PathParam("version") String version, @Valid Decision decision) {
        platform.require(Roles.REVIEWER, "review listings");
        return listings.catalog(ListingType.of(type, "type")).approve(caller.subject(), id, version, Decision.noteOf(decision))
                .map(v -> ListingView.of(v, mapper));
    }

    @POST
    @Path("/{type}/{id}/versions/{version}/reject")
    @RolesAllowed(Roles.REVIEWER)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "example", value = ApiExamples.REJECTION)))
    @Operation(summary = "Reject a version in review, with a note for the author")
    public Uni<ListingView> reject(@PathParam("type") @Pattern(regexp = TYPE) String type, @PathParam("id") String id,
            @PathParam("version") String version, @Valid Decision decision) {
        platform.require(Roles.REVIEWER, "review listings");
        return listings.catalog(ListingType.of(type, "type")).reject(caller.subject(), id, version, Decision.noteOf(decision))
                .map(v -> ListingView.of(v, mapper));
    }

    @POST
    @Path("/{type}/{id}/versions/{version}/deprecate")
    @RolesAllowed(Roles.ADMIN)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "example", value = ApiExamples.DECISION)))
    @Operation(summary = "Deprecate an approved version (the platform's admins): out of the marketplace, no new installations")
    public Uni<ListingView> deprecate(@PathParam("type") @Pattern(regexp = TYPE) String type, @PathParam("id") String id,
            @PathParam("version") String version, @Valid Decision decision) {
        platform.require(Roles.ADMIN, "deprecate listings");
        return listings.catalog(ListingType.of(type, "type")).deprecate(id, version, Decision.noteOf(decision))
                .map(v -> ListingView.of(v, mapper));
    }
}
