package dev.polymux.vault.secret.repository;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import dev.polymux.vault.secret.Credential;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class CredentialRepository implements PanacheRepositoryBase<Credential, Long> {

    public Uni<Credential> findFor(String installationId, String purpose) {
        return find("installationId = ?1 and purpose = ?2", installationId, purpose).firstResult();
    }

    /** Locks the credential so that concurrent writers of one installation's values apply one after the other. */
    public Uni<Credential> findForUpdate(String installationId, String purpose) {
        return find("installationId = ?1 and purpose = ?2", installationId, purpose).withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
    }

    /** Creates version 1 unless a credential exists already; its id, or null when one existed (the writer lost). */
    public Uni<Long> createFirstVersion(String tenant, String installationId, String purpose, Instant at, String by) {
        return Panache.getSession().flatMap(session -> session.createNativeQuery("""
                insert into credential (tenant, installation_id, purpose, version, updated_at, updated_by)
                values (?1, ?2, ?3, 1, ?4, ?5)
                on conflict (installation_id, purpose) do nothing
                returning id""", Long.class)
                .setParameter(1, tenant).setParameter(2, installationId).setParameter(3, purpose).setParameter(4, at).setParameter(5, by)
                .getSingleResultOrNull());
    }

    /** Moves expectedVersion to expectedVersion + 1; the credential's id, or null when the stored version differs. */
    public Uni<Long> compareAndSet(String installationId, String purpose, long expectedVersion, Instant at, String by) {
        return Panache.getSession().flatMap(session -> session.createNativeQuery("""
                update credential set version = version + 1, updated_at = ?1, updated_by = ?2
                where installation_id = ?3 and purpose = ?4 and version = ?5
                returning id""", Long.class)
                .setParameter(1, at).setParameter(2, by).setParameter(3, installationId).setParameter(4, purpose)
                .setParameter(5, expectedVersion)
                .getSingleResultOrNull());
    }
}
