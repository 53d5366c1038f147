package dev.polymux.oauth.authorization.repository;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import dev.polymux.oauth.authorization.AuthorizationRequest;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class AuthorizationRequestRepository implements PanacheRepositoryBase<AuthorizationRequest, String> {

    /**
     * Marks the request used if it is unused and unexpired, in one statement, so two callbacks with the same state
     * cannot both pass; the request, or null when it was unknown, used or expired.
     */
    public Uni<AuthorizationRequest> consume(String stateHash, Instant now) {
        return Panache.getSession().flatMap(session -> session.createNativeQuery("""
                update authorization_request set used_at = ?1
                where state_hash = ?2 and used_at is null and expires_at > ?1
                returning *""", AuthorizationRequest.class)
                .setParameter(1, now).setParameter(2, stateHash).getSingleResultOrNull());
    }

    public Uni<Long> deleteExpiredBefore(Instant before) {
        return delete("expiresAt < ?1", before);
    }
}
