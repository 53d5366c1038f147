package dev.polymux.console.marketplace.client;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import dev.polymux.console.web.ProblemResponseMapper;

/** registry-service's marketplace (README, "The registry/OAuth/vault API"): any valid token may read it. */
@RegisterRestClient(configKey = "registry")
@RegisterProvider(ProblemResponseMapper.class)
@Path("/marketplace")
@Produces(MediaType.APPLICATION_JSON)
public interface RegistryMarketplaceClient {

    @GET
    @Path("/connectors")
    Page<ConnectorView> connectors(@HeaderParam("Authorization") String bearer, @QueryParam("kind") String kind, @QueryParam("q") String q,
            @QueryParam("page") int page, @QueryParam("size") int size);

    @GET
    @Path("/connectors/{id}")
    ConnectorView connector(@HeaderParam("Authorization") String bearer, @PathParam("id") String id, @QueryParam("version") String version);

    @GET
    @Path("/plugins")
    Page<PluginView> plugins(@HeaderParam("Authorization") String bearer, @QueryParam("q") String q, @QueryParam("page") int page,
            @QueryParam("size") int size);

    @GET
    @Path("/plugins/{id}")
    PluginView plugin(@HeaderParam("Authorization") String bearer, @PathParam("id") String id, @QueryParam("version") String version);
}
