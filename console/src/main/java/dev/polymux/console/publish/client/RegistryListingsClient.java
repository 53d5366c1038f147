package dev.polymux.console.publish.client;

import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import dev.polymux.console.web.ProblemResponseMapper;

/** registry-service's listing API for authors (docs/publishing.md). The tenant is always the session's own. */
@RegisterRestClient(configKey = "registry")
@RegisterProvider(ProblemResponseMapper.class)
@Path("/tenants/{tenant}/listings")
@Produces(MediaType.APPLICATION_JSON)
public interface RegistryListingsClient {

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    ListingView create(@HeaderParam("Authorization") String bearer, @PathParam("tenant") String tenant, ListingRequest request);

    @GET
    List<ListingView> list(@HeaderParam("Authorization") String bearer, @PathParam("tenant") String tenant);

    @GET
    @Path("/{type}/{id}/versions/{version}")
    ListingView get(@HeaderParam("Authorization") String bearer, @PathParam("tenant") String tenant, @PathParam("type") String type,
            @PathParam("id") String id, @PathParam("version") String version);

    /** Replaces a draft's manifest (drafts only; the id and version stay). */
    @PUT
    @Path("/{type}/{id}/versions/{version}")
    @Consumes(MediaType.APPLICATION_JSON)
    ListingView update(@HeaderParam("Authorization") String bearer, @PathParam("tenant") String tenant, @PathParam("type") String type,
            @PathParam("id") String id, @PathParam("version") String version, ListingRequest request);

    @POST
    @Path("/{type}/{id}/versions/{version}/submit")
    ListingView submit(@HeaderParam("Authorization") String bearer, @PathParam("tenant") String tenant, @PathParam("type") String type,
            @PathParam("id") String id, @PathParam("version") String version);
}
