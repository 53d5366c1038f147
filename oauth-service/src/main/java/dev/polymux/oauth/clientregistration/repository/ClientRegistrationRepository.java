package dev.polymux.oauth.clientregistration.repository;

import jakarta.enterprise.context.ApplicationScoped;

import dev.polymux.oauth.clientregistration.ClientRegistration;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class ClientRegistrationRepository implements PanacheRepositoryBase<ClientRegistration, ClientRegistration.Key> {

    public Uni<ClientRegistration> find(String tenant, String connectorId) {
        return findById(new ClientRegistration.Key(tenant, connectorId));
    }

    /** The tenant's own client of a connector, else the platform's; null when neither is registered. */
    public Uni<ClientRegistration> effective(String tenant, String connectorId) {
        return find("connectorId = ?1 and tenant in (?2, ?3) order by tenant desc", connectorId, tenant, ClientRegistration.PLATFORM)
                .firstResult();
    }
}
