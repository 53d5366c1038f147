package dev.polymux.registry.listing.rest;

import jakarta.enterprise.context.RequestScoped;

import dev.polymux.common.problem.ProblemException;
import dev.polymux.common.security.CallerIdentity;
import dev.polymux.registry.config.RegistryConfig;

/**
 * Every tenant's listings pass through review, so the reviewer and admin roles count only in the platform tenant: a
 * tenant that gives its own people the role must not review its own or its rivals' work.
 */
@RequestScoped
public class PlatformRoles {

    private final CallerIdentity caller;
    private final RegistryConfig config;

    public PlatformRoles(CallerIdentity caller, RegistryConfig config) {
        this.caller = caller;
        this.config = config;
    }

    /** The caller's role (already checked by @RolesAllowed) counts only if their token acts for the platform tenant. */
    public void require(String role, String action) {
        String tenant = caller.tenant();
        if (!tenant.equals(config.platformTenant())) {
            throw ProblemException.forbidden("Only the platform's " + role + "s " + action + "; the " + role + " role of tenant "
                    + tenant + " does not count here.");
        }
    }
}
