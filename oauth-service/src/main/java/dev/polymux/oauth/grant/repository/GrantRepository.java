package dev.polymux.oauth.grant.repository;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.polymux.oauth.grant.OAuthGrant;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class GrantRepository implements PanacheRepositoryBase<OAuthGrant, String> {

    /** A grant just leased: what a refresher needs of it. Plain columns, not entities, so nothing waits on a session. */
    public record Claimed(String installationId, String connectorId, String invalidatedTokenHash) {
        static Claimed of(Object[] row) {
            return new Claimed((String) row[0], (String) row[1], (String) row[2]);
        }
    }

    /**
     * Leases up to {@code limit} active grants due for refresh to {@code owner}. SKIP LOCKED and the lease together
     * mean that replicas claiming at the same moment take different grants, and a claimed grant stays theirs until
     * the lease ends, even after the claiming transaction commits.
     */
    public Uni<List<Claimed>> claimDue(String owner, Instant now, Instant leaseUntil, int limit) {
        return Panache.getSession().flatMap(session -> session.createNativeQuery("""
                update grant_state set lease_owner = ?1, lease_until = ?2
                where installation_id in (
                    select installation_id from grant_state
                    where status = 'active' and refresh_at <= ?3 and (lease_until is null or lease_until < ?3)
                    order by refresh_at limit ?4 for update skip locked)
                returning installation_id, connector_id, invalidated_token_hash""", Object[].class)
                .setParameter(1, owner).setParameter(2, leaseUntil).setParameter(3, now).setParameter(4, limit)
                .getResultList()).map(rows -> rows.stream().map(Claimed::of).toList());
    }

    /** Leases one grant now (GetAccessToken's synchronous refresh); null when another holds the lease. */
    public Uni<Claimed> claim(String installationId, String owner, Instant now, Instant leaseUntil) {
        return Panache.getSession().flatMap(session -> session.createNativeQuery("""
                update grant_state set lease_owner = ?1, lease_until = ?2
                where installation_id = ?3 and status = 'active' and (lease_until is null or lease_until < ?4)
                returning installation_id, connector_id, invalidated_token_hash""", Object[].class)
                .setParameter(1, owner).setParameter(2, leaseUntil).setParameter(3, installationId).setParameter(4, now)
                .getSingleResultOrNull()).map(row -> row == null ? null : Claimed.of(row));
    }

    /** Stops a grant for good (uninstalled); no event: the registry revoked the installation itself. */
    public Uni<Void> revoke(String installationId, String reason) {
        return update("status = ?1, statusReason = ?2, leaseOwner = null, leaseUntil = null, updatedAt = ?3 where installationId = ?4",
                OAuthGrant.REVOKED, reason, Instant.now(), installationId).replaceWithVoid();
    }
}
