package dev.polymux.vault.oauthclient.repository;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import dev.polymux.vault.oauthclient.ClientKey;
import dev.polymux.vault.oauthclient.RegisteredClient;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class RegisteredClientRepository implements PanacheRepositoryBase<RegisteredClient, Long> {

    /** A client row as a write left it: its id and new version. */
    public record Written(long id, long version) {
    }

    public Uni<RegisteredClient> findFor(ClientKey key) {
        return find("tenant = ?1 and connectorId = ?2", key.tenant(), key.connectorId()).firstResult();
    }

    /** Locks the client, so that concurrent deletes of it apply one after the other. */
    public Uni<RegisteredClient> findForUpdate(ClientKey key) {
        return find("tenant = ?1 and connectorId = ?2", key.tenant(), key.connectorId()).withLock(LockModeType.PESSIMISTIC_WRITE)
                .firstResult();
    }

    /** Creates version 1, or moves whatever version is stored one on; concurrent writers apply one after the other. */
    public Uni<Written> upsert(ClientKey key, Instant at, String by) {
        return Panache.getSession().flatMap(session -> session.createNativeQuery("""
                insert into oauth_client (tenant, connector_id, version, updated_at, updated_by)
                values (?1, ?2, 1, ?3, ?4)
                on conflict (tenant, connector_id)
                do update set version = oauth_client.version + 1, updated_at = excluded.updated_at, updated_by = excluded.updated_by
                returning id, version""", Object[].class)
                .setParameter(1, key.tenant()).setParameter(2, key.connectorId()).setParameter(3, at).setParameter(4, by)
                .getSingleResult())
                .map(RegisteredClientRepository::written);
    }

    /** Moves expectedVersion to expectedVersion + 1; null when no client is stored or its version differs. */
    public Uni<Written> compareAndSet(ClientKey key, long expectedVersion, Instant at, String by) {
        return Panache.getSession().flatMap(session -> session.createNativeQuery("""
                update oauth_client set version = version + 1, updated_at = ?1, updated_by = ?2
                where tenant = ?3 and connector_id = ?4 and version = ?5
                returning id, version""", Object[].class)
                .setParameter(1, at).setParameter(2, by).setParameter(3, key.tenant()).setParameter(4, key.connectorId())
                .setParameter(5, expectedVersion)
                .getSingleResultOrNull())
                .map(row -> row == null ? null : written(row));
    }

    private static Written written(Object[] row) {
        return new Written(((Number) row[0]).longValue(), ((Number) row[1]).longValue());
    }
}
