package dev.polymux.console.operators.client;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import dev.polymux.console.web.ProblemResponseMapper;

/** vault-service's key administration (the platform tenant's admins only; vault decides), at quarkus.rest-client.vault.url. */
@RegisterRestClient(configKey = "vault")
@RegisterProvider(ProblemResponseMapper.class)
@Path("/admin/keys")
@Produces(MediaType.APPLICATION_JSON)
public interface VaultKeysClient {

    @GET
    KeyStatusView status(@HeaderParam("Authorization") String bearer);

    /** A new primary key; data keys are rewrapped to it in the background. */
    @POST
    @Path("rotate")
    KeyStatusView rotate(@HeaderParam("Authorization") String bearer);

    /** Every data key rewrapped to the primary now. */
    @POST
    @Path("rewrap")
    KeyStatusView rewrap(@HeaderParam("Authorization") String bearer);
}
