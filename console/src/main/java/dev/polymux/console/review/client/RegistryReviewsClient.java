package dev.polymux.console.review.client;

import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import dev.polymux.console.publish.client.ListingView;
import dev.polymux.console.web.ProblemResponseMapper;

/**
 * registry-service's review queue (docs/publishing.md): reviewers of the platform tenant only. There is no single-item
 * GET under /reviews: a listing's review page picks it from the queue.
 */
@RegisterRestClient(configKey = "registry")
@RegisterProvider(ProblemResponseMapper.class)
@Path("/reviews/listings")
@Produces(MediaType.APPLICATION_JSON)
public interface RegistryReviewsClient {

    /** The queue, oldest first, each with its manifest and findings. */
    @GET
    List<ListingView> queue(@HeaderParam("Authorization") String bearer, @QueryParam("type") String type);

    @POST
    @Path("/{type}/{id}/versions/{version}/approve")
    @Consumes(MediaType.APPLICATION_JSON)
    ListingView approve(@HeaderParam("Authorization") String bearer, @PathParam("type") String type, @PathParam("id") String id,
            @PathParam("version") String version, Decision decision);

    @POST
    @Path("/{type}/{id}/versions/{version}/reject")
    @Consumes(MediaType.APPLICATION_JSON)
    ListingView reject(@HeaderParam("Authorization") String bearer, @PathParam("type") String type, @PathParam("id") String id,
            @PathParam("version") String version, Decision decision);
}
