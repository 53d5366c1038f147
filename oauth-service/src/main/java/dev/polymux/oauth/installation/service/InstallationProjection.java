package dev.polymux.oauth.installation.service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.oauth.grant.service.GrantService;
import dev.polymux.oauth.setup.service.IntegrationSetup;
import dev.polymux.oauth.installation.KnownInstallation;
import dev.polymux.oauth.installation.repository.KnownInstallationRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

/**
 * Keeps {@link KnownInstallation} in step with the registry's events: oauth and integration installations are
 * remembered with their pinned manifest; a removal stops an oauth grant (vault-service deletes the tokens on the same
 * event) and undoes what an integration's setup steps created at the provider (vault-service keeps its values until
 * then). Idempotent.
 */
@ApplicationScoped
public class InstallationProjection {

    private final KnownInstallationRepository installations;
    private final GrantService grants;
    private final IntegrationSetup setup;

    public InstallationProjection(KnownInstallationRepository installations, GrantService grants, IntegrationSetup setup) {
        this.installations = installations;
        this.grants = grants;
        this.setup = setup;
    }

    @WithTransaction
    public Uni<Void> apply(CloudEvent event) {
        JsonNode data = event.data();
        String kind = data == null ? "" : data.path("kind").asText();
        if (event.subject() == null || !(KnownInstallation.OAUTH.equals(kind) || KnownInstallation.INTEGRATION.equals(kind))) {
            return Uni.createFrom().voidItem();
        }
        return switch (event.type()) {
            case ConnectionEventTypes.INSTALLATION_CREATED -> created(event.subject(), data);
            case ConnectionEventTypes.INSTALLATION_REMOVED -> removed(event.subject());
            default -> Uni.createFrom().voidItem();
        };
    }

    private Uni<Void> created(String id, JsonNode data) {
        if (!data.path("connectorManifest").isObject()) {
            return Uni.createFrom().voidItem();
        }
        return installations.findById(id).flatMap(existing -> {
            if (existing != null) {
                return Uni.createFrom().voidItem();
            }
            KnownInstallation installation = new KnownInstallation();
            installation.id = id;
            installation.kind = data.path("kind").asText();
            installation.tenant = data.path("tenantId").asText();
            installation.connectorId = data.path("connectorId").asText();
            installation.connectorVersion = data.path("connectorVersion").asText();
            installation.scopes = data.path("scopes").isArray() ? data.get("scopes").toString() : "[]";
            installation.manifest = data.get("connectorManifest").toString();
            installation.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            return installations.persist(installation).replaceWithVoid();
        });
    }

    private Uni<Void> removed(String id) {
        return installations.findById(id).flatMap(existing -> {
            if (existing == null || existing.removed()) {
                return Uni.createFrom().voidItem();
            }
            existing.removedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            return KnownInstallation.INTEGRATION.equals(existing.kind) ? setup.removed(existing)
                    : grants.revokeRemoved(id, "The plugin was uninstalled.");
        });
    }
}
