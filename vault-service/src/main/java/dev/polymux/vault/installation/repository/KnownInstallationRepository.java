package dev.polymux.vault.installation.repository;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.polymux.vault.installation.KnownInstallation;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class KnownInstallationRepository implements PanacheRepositoryBase<KnownInstallation, String> {

    /**
     * Up to {@code limit} integrations uninstalled before {@code removedBefore} that still have values, locked: several
     * replicas sweeping at once take different rows (SKIP LOCKED), and a "setup removed" for one of them waits.
     */
    public Uni<List<KnownInstallation>> lockUninstalledIntegrationsWithValues(Instant removedBefore, int limit) {
        return Panache.getSession().flatMap(session -> session.createNativeQuery("""
                select k.* from known_installation k
                where k.kind = 'integration' and k.removed_at < ?1
                  and exists (select 1 from credential c where c.installation_id = k.id and c.tenant = k.tenant)
                order by k.removed_at limit ?2 for update of k skip locked""", KnownInstallation.class)
                .setParameter(1, removedBefore).setParameter(2, limit).getResultList());
    }
}
