package dev.polymux.common.security;

import java.util.Set;

import jakarta.enterprise.context.RequestScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import dev.polymux.common.problem.ProblemException;
import dev.polymux.common.problem.ProblemType;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Who is calling, from the bearer token: subject, tenant (claim {@code tenant}) and roles (claim {@code groups}).
 * Every tenant-scoped path goes through {@link #requireTenant}: a path naming another tenant answers 404, exactly as
 * if nothing were there, so one tenant cannot even learn what another has.
 */
@RequestScoped
public class CallerIdentity {

    public static final String TENANT_CLAIM = "tenant";

    private final SecurityIdentity identity;
    private final JsonWebToken token;

    public CallerIdentity(SecurityIdentity identity, JsonWebToken token) {
        this.identity = identity;
        this.token = token;
    }

    /** The token's subject; for audit fields such as "submitted by". */
    public String subject() {
        requireAuthenticated();
        return token.getSubject();
    }

    public String tenant() {
        requireAuthenticated();
        String tenant = token.getClaim(TENANT_CLAIM);
        if (tenant == null || tenant.isBlank()) {
            throw new ProblemException(ProblemType.FORBIDDEN, "The token has no '" + TENANT_CLAIM + "' claim; it cannot act for any tenant.");
        }
        return tenant;
    }

    public Set<String> roles() {
        return identity.getRoles();
    }

    public boolean hasRole(String role) {
        return identity.hasRole(role);
    }

    /** The caller acts for {@code pathTenant}, or the answer is 404 for {@code path}. */
    public void requireTenant(String pathTenant, String path) {
        if (!tenant().equals(pathTenant)) {
            throw ProblemException.notFound("Nothing exists at " + path + ".");
        }
    }

    private void requireAuthenticated() {
        if (identity.isAnonymous()) {
            throw new ProblemException(ProblemType.UNAUTHENTICATED, "This call needs a bearer token.");
        }
    }
}
