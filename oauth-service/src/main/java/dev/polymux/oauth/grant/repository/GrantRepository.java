package dev.polymux.oauth.grant.repository;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.polymux.oauth.grant.OAuthGrant;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.Tuple;

@ApplicationScoped
public class GrantRepository implements PanacheRepositoryBase<OAuthGrant, String> {

    /**
     * What a hand-out checks on every GetAccessToken: whether the grant may be used, and which token it names (the
     * vault version, the authorization, the token reported rejected). Read fresh each call, never cached.
     */
    public record HandOutState(String installationId, String tenant, String status, String statusReason, long tokenVersion,
            String invalidatedTokenHash, Instant authorizedAt) {

        public boolean active() {
            return OAuthGrant.ACTIVE.equals(status);
        }
    }

    private final Pool pool;

    public GrantRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * The grant's {@link HandOutState}, or null: one prepared query on the pool, no session, since it runs on every
     * GetAccessToken and is most of a warm call's work.
     */
    public Uni<HandOutState> handOutState(String installationId) {
        return pool.preparedQuery("""
                select tenant, status, status_reason, token_version, invalidated_token_hash, authorized_at
                from grant_state where installation_id = $1""")
                .execute(Tuple.of(installationId)).map(rows -> {
                    RowIterator<Row> it = rows.iterator();
                    if (!it.hasNext()) {
                        return null;
                    }
                    Row row = it.next();
                    return new HandOutState(installationId, row.getString("tenant"), row.getString("status"), row.getString("status_reason"),
                            row.getLong("token_version"), row.getString("invalidated_token_hash"),
                            row.getOffsetDateTime("authorized_at") == null ? null : row.getOffsetDateTime("authorized_at").toInstant());
                });
    }

    /**
     * A grant just leased: what a refresher needs of it, and the lease it holds. Plain columns, not entities, so
     * nothing waits on a session.
     */
    public record Claimed(String installationId, String connectorId, String invalidatedTokenHash, Lease lease) {
        static Claimed of(Object[] row, String owner) {
            return new Claimed((String) row[0], (String) row[1], (String) row[2], new Lease(owner, ((Number) row[3]).longValue()));
        }
    }

    /**
     * A lease on a grant: who holds it and its generation, a fencing token. Each claim takes the next generation, so
     * a refresher whose lease lapsed and was claimed again holds an old generation, and its writes change nothing.
     */
    public record Lease(String owner, long generation) {
    }

    /**
     * Leases up to {@code limit} active grants due for refresh to {@code owner}. SKIP LOCKED and the lease together
     * mean that replicas claiming at the same moment take different grants, and a claimed grant stays theirs until
     * the lease ends, even after the claiming transaction commits.
     */
    public Uni<List<Claimed>> claimDue(String owner, Instant now, Instant leaseUntil, int limit) {
        return Panache.getSession().flatMap(session -> session.createNativeQuery("""
                update grant_state set lease_owner = ?1, lease_until = ?2, lease_generation = lease_generation + 1
                where installation_id in (
                    select installation_id from grant_state
                    where status = 'active' and refresh_at <= ?3 and (lease_until is null or lease_until < ?3)
                    order by refresh_at limit ?4 for update skip locked)
                returning installation_id, connector_id, invalidated_token_hash, lease_generation""", Object[].class)
                .setParameter(1, owner).setParameter(2, leaseUntil).setParameter(3, now).setParameter(4, limit)
                .getResultList()).map(rows -> rows.stream().map(row -> Claimed.of(row, owner)).toList());
    }

    /** Leases one grant now (GetAccessToken's synchronous refresh); null when another holds the lease. */
    public Uni<Claimed> claim(String installationId, String owner, Instant now, Instant leaseUntil) {
        return Panache.getSession().flatMap(session -> session.createNativeQuery("""
                update grant_state set lease_owner = ?1, lease_until = ?2, lease_generation = lease_generation + 1
                where installation_id = ?3 and status = 'active' and (lease_until is null or lease_until < ?4)
                returning installation_id, connector_id, invalidated_token_hash, lease_generation""", Object[].class)
                .setParameter(1, owner).setParameter(2, leaseUntil).setParameter(3, installationId).setParameter(4, now)
                .getSingleResultOrNull()).map(row -> row == null ? null : Claimed.of(row, owner));
    }

    /**
     * Extends a lease that is still held, while its refresh is in flight; false when it was lost, and the refresh
     * must then change nothing. Owner and generation decide, not the clock: every claim takes the next generation
     * under the row's lock, so an unchanged generation means nobody else claimed it, even if a renewal came late.
     */
    public Uni<Boolean> renew(String installationId, Lease lease, Instant leaseUntil) {
        return Panache.getSession().flatMap(session -> session.createNativeQuery("""
                update grant_state set lease_until = ?1
                where installation_id = ?2 and lease_owner = ?3 and lease_generation = ?4""")
                .setParameter(1, leaseUntil).setParameter(2, installationId).setParameter(3, lease.owner())
                .setParameter(4, lease.generation())
                .executeUpdate()).map(updated -> updated == 1);
    }

}
