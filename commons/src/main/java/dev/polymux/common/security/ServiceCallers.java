package dev.polymux.common.security;

import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.grpc.Status;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Service-to-service checks for internal gRPC (docs/access.md). The bearer token is verified by quarkus-oidc like any
 * REST token; here the callee checks that it is a service token ({@link Roles#SERVICE}) and that its subject is one of
 * the services allowed to call the method. Failures are gRPC statuses that say what is missing. Reactive: the identity
 * is resolved lazily, off nothing but the event loop.
 */
@ApplicationScoped
public class ServiceCallers {

    private final CurrentIdentityAssociation identities;

    public ServiceCallers(CurrentIdentityAssociation identities) {
        this.identities = identities;
    }

    /** The calling service's name, when it is one of {@code allowed}; UNAUTHENTICATED or PERMISSION_DENIED otherwise. */
    public Uni<String> require(Set<String> allowed, String method) {
        return identities.getDeferredIdentity()
                .onFailure(AuthenticationFailedException.class).transform(failure -> Status.UNAUTHENTICATED
                        .withDescription(method + " needs a valid service token; this one was not accepted.").asRuntimeException())
                .map(identity -> check(identity, allowed, method));
    }

    private static String check(SecurityIdentity identity, Set<String> allowed, String method) {
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
