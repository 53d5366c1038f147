package dev.polymux.console.installation.client;

import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import dev.polymux.console.web.ProblemResponseMapper;

/** registry-service's installations of a tenant (installers). The tenant is always the session's own. */
@RegisterRestClient(configKey = "registry")
@RegisterProvider(ProblemResponseMapper.class)
@Path("/tenants/{tenant}/installations")
@Produces(MediaType.APPLICATION_JSON)
public interface RegistryInstallationsClient {

    /** One pending installation per connection key of the plugin. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    List<InstallationView> install(@HeaderParam("Authorization") String bearer, @PathParam("tenant") String tenant, InstallRequest request);

    /** Every installation of the tenant, revoked ones too. */
    @GET
    List<InstallationView> list(@HeaderParam("Authorization") String bearer, @PathParam("tenant") String tenant);

    @GET
    @Path("/{installationId}")
    InstallationView get(@HeaderParam("Authorization") String bearer, @PathParam("tenant") String tenant,
            @PathParam("installationId") String installationId);

    @DELETE
    @Path("/by-plugin/{pluginId}")
    List<InstallationView> uninstall(@HeaderParam("Authorization") String bearer, @PathParam("tenant") String tenant,
            @PathParam("pluginId") String pluginId);
}
