package dev.polymux.registry.installation.service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.common.event.EventTopics;
import dev.polymux.persistence.outbox.service.OutboxService;
import dev.polymux.common.problem.ProblemException;
import dev.polymux.registry.config.RegistryConfig;
import dev.polymux.registry.connector.repository.ConnectorVersionRepository;
import dev.polymux.registry.installation.Installation;
import dev.polymux.registry.installation.repository.InstallationRepository;
import dev.polymux.registry.plugin.PluginVersion;
import dev.polymux.registry.plugin.service.PluginPublishingService;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** Installing and uninstalling plugins, and the installation status that follows the other services' events. */
@ApplicationScoped
public class InstallationService {

    private static final Logger LOG = Logger.getLogger(InstallationService.class);

    private final InstallationRepository repository;
    private final PluginPublishingService plugins;
    private final ConnectorVersionRepository connectors;
    private final OutboxService outbox;
    private final RegistryConfig config;
    private final ObjectMapper mapper;

    public InstallationService(InstallationRepository repository, PluginPublishingService plugins,
            ConnectorVersionRepository connectors, OutboxService outbox, RegistryConfig config, ObjectMapper mapper) {
        this.repository = repository;
        this.plugins = plugins;
        this.connectors = connectors;
        this.outbox = outbox;
        this.config = config;
        this.mapper = mapper;
    }

    /**
     * One pending installation per connection key of an approved plugin version (the newest approved when none is
     * given); a version in any other state cannot be installed.
     */
    @WithTransaction
    public Uni<List<Installation>> install(String tenant, String pluginId, String pluginVersion) {
        return repository.live(tenant, pluginId).flatMap(existing -> {
            if (!existing.isEmpty()) {
                throw ProblemException.conflict("Plugin " + pluginId + " is installed already; uninstall it first to install another version.");
            }
            return plugins.installable(tenant, pluginId, pluginVersion);
        }).flatMap(plugin -> Multi.createFrom().iterable(connections(plugin))
                .onItem().transformToUniAndConcatenate(entry -> create(tenant, plugin, entry))
                .collect().asList());
    }

    /** Revokes every live installation of the plugin and tells the other services to delete their secrets and grants. */
    @WithTransaction
    public Uni<List<Installation>> uninstall(String tenant, String pluginId, String by) {
        return repository.live(tenant, pluginId).flatMap(live -> {
            if (live.isEmpty()) {
                throw ProblemException.notFound("Plugin " + pluginId + " is not installed.");
            }
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            return Multi.createFrom().iterable(live).onItem().transformToUniAndConcatenate(installation -> {
                installation.status = Installation.REVOKED;
                installation.statusReason = "Uninstalled by " + by + ".";
                installation.statusChangedAt = now;
                return announce(installation, ConnectionEventTypes.INSTALLATION_REMOVED).replaceWith(installation);
            }).collect().asList();
        });
    }

    @WithSession
    public Uni<List<Installation>> ofTenant(String tenant) {
        return repository.ofTenant(tenant);
    }

    /** An installation of this tenant, or 404 (another tenant's installations do not exist for this caller). */
    @WithSession
    public Uni<Installation> owned(String tenant, String id) {
        return repository.findById(id).map(found -> {
            if (found == null || !found.tenant.equals(tenant)) {
                throw ProblemException.notFound("There is no installation " + id + ".");
            }
            return found;
        });
    }

    /**
     * Applies a connection event to the installation it names. Only events newer than the status's own time count,
     * and revoked is final: redelivered, duplicated or late events change nothing.
     */
    /** How far ahead of this replica's clock an event's time may be before it counts as of now. */
    private static final java.time.Duration MAX_CLOCK_AHEAD = java.time.Duration.ofMinutes(5);

    @WithTransaction
    public Uni<Boolean> apply(CloudEvent event) {
        if (statusFor(event.type(), null) == null || event.subject() == null) {
            return Uni.createFrom().item(false);
        }
        return repository.findForUpdate(event.subject()).map(installation -> {
            if (installation == null) {
                LOG.debugf("Connection event %s for unknown installation %s ignored", event.type(), event.subject());
                return false;
            }
            String target = statusFor(event.type(), installation.kind);
            if (target == null) {
                return false;
            }
            // PostgreSQL keeps microseconds; an event time with nanoseconds would otherwise always look newer than
            // its own stored copy, and a redelivery would apply again.
            Instant now = Instant.now();
            Instant at = (event.time() == null ? now : event.time()).truncatedTo(ChronoUnit.MICROS);
            if (at.isAfter(now.plus(MAX_CLOCK_AHEAD))) {
                // A producer's broken clock or a forged time would look newer than every later event, forever.
                LOG.warnf("Connection event %s for %s is dated %s, ahead of this clock: counted as of now", event.type(), event.subject(), at);
                at = now.truncatedTo(ChronoUnit.MICROS);
            }
            if (Installation.REVOKED.equals(installation.status) || !at.isAfter(installation.statusChangedAt)) {
                return false;
            }
            installation.status = target;
            installation.statusReason = Installation.BROKEN.equals(target) || Installation.REVOKED.equals(target)
                    ? reason(event, target) : null;
            installation.statusChangedAt = at;
            return true;
        });
    }

    /**
     * The status an event means for an installation of {@code kind} (null: not known yet, any kind). An integration's
     * stored values alone do not make it active: its required setup steps must have passed (oauth-service), which
     * "setup completed" says.
     */
    private static String statusFor(String type, String kind) {
        return switch (type) {
            case ConnectionEventTypes.CREDENTIALS_STORED -> Installation.INTEGRATION_KIND.equals(kind) ? null : Installation.ACTIVE;
            case ConnectionEventTypes.GRANT_AUTHORIZED, ConnectionEventTypes.SETUP_COMPLETED -> Installation.ACTIVE;
            case ConnectionEventTypes.CREDENTIALS_DELETED -> Installation.PENDING;
            // dispatch saw the provider refuse the stored credentials again and again: broken until new ones are stored
            case ConnectionEventTypes.GRANT_BROKEN, ConnectionEventTypes.CREDENTIALS_REJECTED -> Installation.BROKEN;
            case ConnectionEventTypes.GRANT_REVOKED -> Installation.REVOKED;
            default -> null;
        };
    }

    private static String reason(CloudEvent event, String status) {
        String reason = event.data() == null ? "" : event.data().path("reason").asText("");
        if (!reason.isBlank()) {
            return reason;
        }
        return Installation.REVOKED.equals(status) ? "Access was revoked at the provider; install the plugin again to reconnect."
                : "The connection stopped working; reconnect it.";
    }

    private Uni<Installation> create(String tenant, PluginVersion plugin, JsonNode entry) {
        Installation installation = new Installation();
        installation.id = "inst_" + UUID.randomUUID().toString().replace("-", "");
        installation.tenant = tenant;
        installation.pluginId = plugin.pluginId;
        installation.pluginVersion = plugin.version;
        installation.connectionKey = entry.path("key").asText();
        installation.kind = entry.path("kind").asText();
        installation.connectorId = entry.path("connector").asText(null);
        installation.connectorVersion = entry.path("connectorVersion").asText(null);
        installation.requestedScopes = entry.path("scopes").isArray() ? entry.get("scopes").toString() : "[]";
        installation.connectionEntry = entry.toString();
        installation.status = Installation.PENDING;
        installation.createdAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        installation.statusChangedAt = installation.createdAt;
        return repository.persist(installation).call(created -> pinnedManifest(created).flatMap(manifest -> {
            ObjectNode extra = mapper.createObjectNode();
            JsonNode shape = entry.has("shape") ? entry.get("shape") : manifest == null ? null : manifest.path("auth").path("shape");
            if (shape != null && shape.isObject()) {
                extra.set("shape", shape);
            }
            // oauth-service runs oauth grants and integration setup steps by the pinned manifest.
            if ((Installation.OAUTH_KIND.equals(created.kind) || Installation.INTEGRATION_KIND.equals(created.kind)) && manifest != null) {
                extra.set("connectorManifest", manifest);
            }
            return announce(created, ConnectionEventTypes.INSTALLATION_CREATED, extra);
        }));
    }

    /**
     * The manifest of the connector version the installation is pinned to, or null for inline vault entries. The
     * created event carries what the other services need of it, so they never call back: vault-service the shape of
     * the values, oauth-service the manifest its grant runs by.
     */
    private Uni<JsonNode> pinnedManifest(Installation installation) {
        if (installation.connectorId == null || installation.connectorVersion == null) {
            return Uni.createFrom().nullItem();
        }
        return connectors.findVersion(installation.connectorId, installation.connectorVersion).map(connector -> {
            return connector == null ? null : parse(connector.manifest, "connector manifest");
        });
    }

    private Uni<Void> announce(Installation installation, String type) {
        return announce(installation, type, null);
    }

    private Uni<Void> announce(Installation installation, String type, ObjectNode extra) {
        ObjectNode data = mapper.createObjectNode()
                .put("tenantId", installation.tenant).put("installationId", installation.id)
                .put("pluginId", installation.pluginId).put("pluginVersion", installation.pluginVersion)
                .put("connectionKey", installation.connectionKey).put("kind", installation.kind)
                .put("connectorId", installation.connectorId).put("status", installation.status);
        if (extra != null) {
            data.put("connectorVersion", installation.connectorVersion);
            data.set("scopes", parse(installation.requestedScopes, "scope list"));
            data.setAll(extra);
        }
        return outbox.enqueue(EventTopics.CONNECTION_EVENTS, installation.id,
                CloudEvent.create(config.eventSource(), type, installation.id, data)).replaceWithVoid();
    }

    /** JSON this service stored itself; failing to parse it is a bug, not bad input. */
    private JsonNode parse(String json, String what) {
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A stored " + what + " is not JSON", e);
        }
    }

    private List<JsonNode> connections(PluginVersion plugin) {
        List<JsonNode> entries = new ArrayList<>();
        parse(plugin.manifest, "plugin manifest").path("connections").forEach(entries::add);
        return entries;
    }
}
