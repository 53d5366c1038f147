package dev.polymux.console.installation.client;

import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import dev.polymux.console.web.ProblemResponseMapper;

/**
 * vault-service's credentials of an installation (installers): values go in, only metadata comes back. Its own
 * address: quarkus.rest-client.vault.url (POLYMUX_VAULT_URL).
 */
@RegisterRestClient(configKey = "vault")
@RegisterProvider(ProblemResponseMapper.class)
@Path("/tenants/{tenant}/credentials/{installationId}")
@Produces(MediaType.APPLICATION_JSON)
public interface VaultCredentialsClient {

    /** Field name to value, exactly the fields of the connection's shape. */
    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    CredentialView store(@HeaderParam("Authorization") String bearer, @PathParam("tenant") String tenant,
            @PathParam("installationId") String installationId, Map<String, String> values);

    @GET
    CredentialView describe(@HeaderParam("Authorization") String bearer, @PathParam("tenant") String tenant,
            @PathParam("installationId") String installationId);
}
