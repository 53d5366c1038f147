package dev.polymux.vault.rotation.rest;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.polymux.common.problem.ProblemException;
import dev.polymux.common.security.CallerIdentity;
import dev.polymux.common.security.Roles;
import dev.polymux.vault.config.VaultConfig;
import dev.polymux.vault.rotation.service.KeyRotationService;
import dev.polymux.vault.rotation.service.KeyStatus;
import io.smallrye.mutiny.Uni;

/**
 * Key-encryption-key operations for the platform's admins; deploy/local/keys drives them locally. Ids only, never key
 * material. The admin role counts only in the platform tenant: any tenant may give its own people that role.
 */
@Path("/admin/keys")
@Tag(name = "Key administration")
@RolesAllowed(Roles.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class KeyAdminResource {

    private final KeyRotationService rotation;
    private final CallerIdentity caller;
    private final VaultConfig config;

    public KeyAdminResource(KeyRotationService rotation, CallerIdentity caller, VaultConfig config) {
        this.rotation = rotation;
        this.caller = caller;
        this.config = config;
    }

    @GET
    @Operation(summary = "The KEK keys, the primary, and how many data keys each still wraps")
    public Uni<KeyStatus> status() {
        requirePlatformAdmin();
        return rotation.status();
    }

    @POST
    @Path("rotate")
    @Operation(summary = "Make a new KEK key primary; data keys are rewrapped to it in the background, reads keep working")
    public Uni<KeyStatus> rotate() {
        requirePlatformAdmin();
        return rotation.rotate();
    }

    @POST
    @Path("rewrap")
    @Operation(summary = "Rewrap every data key to the primary now, rather than at the job's next round")
    public Uni<KeyStatus> rewrap() {
        requirePlatformAdmin();
        return rotation.rewrapAll();
    }

    @DELETE
    @Path("{keyId}")
    @Operation(summary = "Retire a KEK key; refused (409) for the primary or while any data key still uses it")
    public Uni<KeyStatus> retire(@PathParam("keyId") int keyId) {
        requirePlatformAdmin();
        return rotation.retire(keyId);
    }

    private void requirePlatformAdmin() {
        if (!config.platformTenant().equals(caller.tenant())) {
            throw ProblemException.forbidden("Only the platform's admins operate the key-encryption keys; the admin role of tenant "
                    + caller.tenant() + " does not count here.");
        }
    }
}
