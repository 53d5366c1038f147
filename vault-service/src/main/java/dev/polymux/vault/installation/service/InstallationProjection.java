package dev.polymux.vault.installation.service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.vault.audit.service.AuditTrail.Actor;
import dev.polymux.vault.installation.KnownInstallation;
import dev.polymux.vault.installation.repository.KnownInstallationRepository;
import dev.polymux.vault.secret.service.CredentialService;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

/**
 * Keeps {@link KnownInstallation} in step with the registry's installation events. Idempotent: a redelivered
 * "created" changes nothing, and a "removed" deletes the secrets once and marks the installation so that no late
 * write can bring them back.
 */
@ApplicationScoped
public class InstallationProjection {

    private static final Logger LOG = Logger.getLogger(InstallationProjection.class);

    private final KnownInstallationRepository installations;
    private final CredentialService credentials;

    public InstallationProjection(KnownInstallationRepository installations, CredentialService credentials) {
        this.installations = installations;
        this.credentials = credentials;
    }

    @WithTransaction
    public Uni<Void> apply(CloudEvent event) {
        JsonNode data = event.data();
        if (data == null || event.subject() == null) {
            return Uni.createFrom().voidItem();
        }
        return switch (event.type()) {
            case ConnectionEventTypes.INSTALLATION_CREATED -> created(event.subject(), data);
            case ConnectionEventTypes.INSTALLATION_REMOVED -> removed(event.subject(), data);
            case ConnectionEventTypes.SETUP_REMOVED -> setupUndone(event.subject(), data);
            default -> Uni.createFrom().voidItem();
        };
    }

    private Uni<Void> created(String id, JsonNode data) {
        return installations.findById(id).flatMap(existing -> {
            if (existing != null) {
                return Uni.createFrom().voidItem();
            }
            KnownInstallation installation = new KnownInstallation();
            installation.id = id;
            installation.tenant = data.path("tenantId").asText();
            installation.kind = data.path("kind").asText();
            installation.shape = data.path("shape").isObject() ? data.get("shape").toString() : null;
            installation.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            return installations.persist(installation).invoke(() -> LOG.debugf("Installation %s (%s) known", id, installation.kind))
                    .replaceWithVoid();
        });
    }

    /** An uninstalled integration's setup was undone: its values go now (oauth-service deleted them already, as a rule). */
    private Uni<Void> setupUndone(String id, JsonNode data) {
        // Locked: the retention sweep (UninstalledValuesSweeper) may be deleting the same values right now.
        return installations.findById(id, LockModeType.PESSIMISTIC_WRITE).flatMap(existing -> existing == null || !existing.removed() ? Uni.createFrom().voidItem()
                : credentials.deleteAll(data.path("tenantId").asText(), id, Actor.system("setup undone after uninstall"))
                        .invoke(deleted -> LOG.infof("Installation %s: setup undone, %d credential(s) deleted", id, deleted))
                        .replaceWithVoid());
    }

    private Uni<Void> removed(String id, JsonNode data) {
        String tenant = data.path("tenantId").asText();
        return installations.findById(id).flatMap(existing -> {
            if (existing != null && existing.removed()) {
                return Uni.createFrom().voidItem();
            }
            if (existing == null) {
                // Removed before its creation reached us (or before this service existed): remember it as removed.
                existing = new KnownInstallation();
                existing.id = id;
                existing.tenant = tenant;
                existing.kind = data.path("kind").asText();
                existing.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
                existing.removedAt = existing.createdAt;
                return installations.persist(existing).replaceWithVoid();
            }
            existing.removedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            if (KnownInstallation.INTEGRATION.equals(existing.kind)) {
                // Its setup may have created things at the provider (a webhook, a service account) that only its
                // values can remove: oauth-service undoes them, then deletes the values ("setup removed" below).
                LOG.infof("Installation %s removed: its values wait for its setup to be undone", id);
                return Uni.createFrom().voidItem();
            }
            return credentials.deleteAll(tenant, id, Actor.system("installation removed"))
                    .invoke(deleted -> LOG.infof("Installation %s removed: %d credential(s) deleted", id, deleted))
                    .replaceWithVoid();
        });
    }
}
