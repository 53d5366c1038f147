package dev.polymux.console.installation.client;

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

/**
 * oauth-service's side of an installation (installers): the authorize link of an OAuth connection, and an integration's
 * setup steps. Its own address: quarkus.rest-client.oauth.url (POLYMUX_OAUTH_URL).
 */
@RegisterRestClient(configKey = "oauth")
@RegisterProvider(ProblemResponseMapper.class)
@Path("/tenants/{tenant}/installations/{installationId}")
@Produces(MediaType.APPLICATION_JSON)
public interface OAuthInstallationsClient {

    /** The provider's authorize link for the browser (or connected at once: client credentials). Also reconnects a broken one. */
    @POST
    @Path("/authorize")
    @Consumes(MediaType.APPLICATION_JSON)
    AuthorizeView authorize(@HeaderParam("Authorization") String bearer, @PathParam("tenant") String tenant,
            @PathParam("installationId") String installationId, AuthorizeRequest request);

    @GET
    @Path("/setup")
    SetupView setup(@HeaderParam("Authorization") String bearer, @PathParam("tenant") String tenant,
            @PathParam("installationId") String installationId);

    /** Runs one step's check with the submitted fields; they are stored only if it passed. */
    @PUT
    @Path("/setup/{stepId}")
    @Consumes(MediaType.APPLICATION_JSON)
    CheckView check(@HeaderParam("Authorization") String bearer, @PathParam("tenant") String tenant,
            @PathParam("installationId") String installationId, @PathParam("stepId") String stepId, StepSubmission submission);
}
