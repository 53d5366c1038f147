package dev.polymux.oauth.setup.rest;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.common.security.CallerIdentity;
import dev.polymux.common.security.Roles;
import dev.polymux.oauth.setup.service.IntegrationSetup;
import io.smallrye.mutiny.Uni;

/**
 * The setup steps of a tenant's integration installation: what each asks for (a JSON Schema the console renders),
 * and submitting one, which runs its check and answers with a sentence. The installation becomes active once every
 * required step has passed.
 */
@Path("/tenants/{tenant}/installations/{installationId}/setup")
@Tag(name = "Integration setup")
@RolesAllowed(Roles.INSTALLER)
@Produces(MediaType.APPLICATION_JSON)
public class SetupResource {

    /** A step's fields (secret ones go to vault-service, and only once the check passed). */
    public record StepSubmission(JsonNode fields) {
    }

    private final IntegrationSetup setup;
    private final CallerIdentity caller;

    public SetupResource(IntegrationSetup setup, CallerIdentity caller) {
        this.setup = setup;
        this.caller = caller;
    }

    @GET
    @Operation(summary = "The installation's setup steps, their fields and how their last checks went")
    public Uni<IntegrationSetup.SetupView> steps(@PathParam("tenant") String tenant, @PathParam("installationId") String installationId,
            UriInfo uri) {
        caller.requireTenant(tenant, uri.getPath());
        return setup.describe(tenant, installationId);
    }

    @PUT
    @Path("/{stepId}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "mqtt", value = """
            {"fields":{"broker_url":"mqtts://broker.example.com:8883","username":"plant-7","password":"..."}}""")))
    @Operation(summary = "Submits a step's fields and runs its check: passed or not, with the sentence to show")
    public Uni<IntegrationSetup.CheckView> submit(@PathParam("tenant") String tenant, @PathParam("installationId") String installationId,
            @PathParam("stepId") String stepId, StepSubmission submission, UriInfo uri) {
        caller.requireTenant(tenant, uri.getPath());
        return setup.submit(tenant, installationId, stepId, submission == null ? null : submission.fields(), caller.subject());
    }
}
