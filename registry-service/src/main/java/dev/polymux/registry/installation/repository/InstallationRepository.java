package dev.polymux.registry.installation.repository;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.polymux.registry.installation.Installation;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class InstallationRepository implements PanacheRepositoryBase<Installation, String> {

    public Uni<List<Installation>> live(String tenant, String pluginId) {
        return list("tenant = ?1 and pluginId = ?2 and status <> ?3 order by connectionKey", tenant, pluginId, Installation.REVOKED);
    }

    public Uni<List<Installation>> ofTenant(String tenant) {
        return list("tenant = ?1 order by pluginId, connectionKey, createdAt", tenant);
    }

    /** The live installation behind (tenant, plugin, connection key), as dispatch resolves it. */
    public Uni<Installation> resolve(String tenant, String pluginId, String connectionKey) {
        return find("tenant = ?1 and pluginId = ?2 and connectionKey = ?3 and status <> ?4", tenant, pluginId, connectionKey,
                Installation.REVOKED).firstResult();
    }

    /** Locks the row for a status change, so concurrent events for one installation apply one after the other. */
    public Uni<Installation> findForUpdate(String id) {
        return findById(id, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
    }
}
