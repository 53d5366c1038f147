package dev.polymux.oauth.installation.service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.common.event.EventTopics;
import dev.polymux.persistence.outbox.service.OutboxService;
import dev.polymux.oauth.config.OAuthConfig;
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
 * then). An uninstalled integration this service never knew (its creation predates it, or came without a manifest)
 * has no setup to undo here: "setup removed" is announced at once, so vault-service does not keep its values. Idempotent.
 */
@ApplicationScoped
public class InstallationProjection {

    private static final Logger LOG = Logger.getLogger(InstallationProjection.class);

    private final KnownInstallationRepository installations;
    private final GrantService grants;
    private final IntegrationSetup setup;
    private final OutboxService outbox;
    private final ObjectMapper mapper;
    private final OAuthConfig config;

    public InstallationProjection(KnownInstallationRepository installations, GrantService grants, IntegrationSetup setup, OutboxService outbox,
            ObjectMapper mapper, OAuthConfig config) {
        this.installations = installations;
        this.grants = grants;
        this.setup = setup;
        this.outbox = outbox;
        this.mapper = mapper;
        this.config = config;
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
            case ConnectionEventTypes.INSTALLATION_REMOVED -> removed(event.subject(), data);
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

    private Uni<Void> removed(String id, JsonNode data) {
        return installations.findById(id).flatMap(existing -> {
            if (existing == null) {
                return KnownInstallation.INTEGRATION.equals(data.path("kind").asText()) ? nothingToUndo(id, data) : Uni.createFrom().voidItem();
            }
            if (existing.removed()) {
                return Uni.createFrom().voidItem();
            }
            existing.removedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            return KnownInstallation.INTEGRATION.equals(existing.kind) ? setup.removed(existing)
                    : grants.revokeRemoved(id, "The plugin was uninstalled.");
        });
    }

    /**
     * An integration uninstalled before this service knew it: none of its steps ran here, so nothing is to be undone;
     * "setup removed" (tenant and connector from the uninstall event) lets vault-service delete its values now.
     */
    private Uni<Void> nothingToUndo(String id, JsonNode data) {
        String tenant = data.path("tenantId").asText("");
        if (tenant.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        ObjectNode announced = mapper.createObjectNode().put("tenantId", tenant).put("installationId", id)
                .put("connectorId", data.path("connectorId").isTextual() ? data.get("connectorId").asText() : "");
        LOG.infof("Installation %s: an integration uninstalled before oauth-service knew it; nothing to undo, setup removed", id);
        return outbox.enqueue(EventTopics.CONNECTION_EVENTS, id, CloudEvent.create(config.eventSource(), ConnectionEventTypes.SETUP_REMOVED, id,
                announced)).replaceWithVoid();
    }
}
