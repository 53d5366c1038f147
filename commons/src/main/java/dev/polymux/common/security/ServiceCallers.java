package dev.polymux.common.security;

import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.grpc.Status;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Service-to-service checks for internal gRPC (docs/access.md). The bearer token is verified by quarkus-oidc like any
 * REST token; here the callee checks that it is a service token ({@link Roles#SERVICE}) and that its subject is one of
 * the services allowed to call the method. Failures are gRPC statuses that say what is missing.
 */
@ApplicationScoped
public class ServiceCallers {

    private final SecurityIdentity identity;

    public ServiceCallers(SecurityIdentity identity) {
        this.identity = identity;
    }

    /** The calling service's name, when it is one of {@code allowed}; UNAUTHENTICATED or PERMISSION_DENIED otherwise. */
    public String require(Set<String> allowed, String method) {
        if (identity.isAnonymous()) {
            throw Status.UNAUTHENTICATED.withDescription(method + " needs a service token (authorization: Bearer ...).").asRuntimeException();
        }
        String name = identity.getPrincipal() instanceof JsonWebToken token && token.getSubject() != null ? token.getSubject()
                : identity.getPrincipal().getName();
        if (!identity.hasRole(Roles.SERVICE) || !allowed.contains(name)) {
            throw Status.PERMISSION_DENIED.withDescription(method + " may be called only by " + String.join(", ", allowed.stream().sorted().toList())
                    + "; this token is not one of theirs.").asRuntimeException();
        }
        return name;
    }
}
