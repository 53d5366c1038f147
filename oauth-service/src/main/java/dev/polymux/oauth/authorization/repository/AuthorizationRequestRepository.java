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
     * Marks the request opened by a browser (the start URL) if it is unopened, unused and unexpired, in one statement,
     * so a link opens in one browser only; the request, or null when it was unknown, opened, used or expired.
     */
    public Uni<AuthorizationRequest> start(String stateHash, String browserBinderHash, Instant now) {
        return Panache.getSession().flatMap(session -> session.createNativeQuery("""
                update authorization_request set started_at = ?1, browser_binder_hash = ?3
                where state_hash = ?2 and started_at is null and used_at is null and expires_at > ?1
                returning *""", AuthorizationRequest.class)
                .setParameter(1, now).setParameter(2, stateHash).setParameter(3, browserBinderHash).getSingleResultOrNull());
    }

    /**
     * Marks the request used if it was opened and is unused and unexpired, in one statement, so two callbacks with the
     * same state cannot both pass; the request, or null when it was unknown, unopened, used or expired.
     */
    public Uni<AuthorizationRequest> consume(String stateHash, Instant now) {
        return Panache.getSession().flatMap(session -> session.createNativeQuery("""
                update authorization_request set used_at = ?1
                where state_hash = ?2 and browser_binder_hash is not null and used_at is null and expires_at > ?1
                returning *""", AuthorizationRequest.class)
                .setParameter(1, now).setParameter(2, stateHash).getSingleResultOrNull());
    }

    public Uni<Long> deleteExpiredBefore(Instant before) {
        return delete("expiresAt < ?1", before);
    }
}
