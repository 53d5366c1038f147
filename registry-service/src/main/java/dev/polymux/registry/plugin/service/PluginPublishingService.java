package dev.polymux.registry.plugin.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.common.event.EventTopics;
import dev.polymux.common.outbox.service.OutboxService;
import dev.polymux.common.problem.Problem;
import dev.polymux.common.problem.ProblemException;
import dev.polymux.connector.manifest.ManifestValidator;
import dev.polymux.registry.config.RegistryConfig;
import dev.polymux.registry.connector.ConnectorVersion;
import dev.polymux.registry.connector.ReviewState;
import dev.polymux.registry.connector.repository.ConnectorVersionRepository;
import dev.polymux.registry.plugin.PluginVersion;
import dev.polymux.registry.plugin.repository.PluginVersionRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Publishes plugin versions. The manifest must be valid on its own (schema, unique keys), and every oauth and
 * integration entry must name an approved connector of its kind, asking only for scopes that connector declares.
 * The connector version each entry uses is pinned into the published manifest, so a later connector release never
 * changes what an installed plugin runs.
 */
@ApplicationScoped
public class PluginPublishingService {

    public static final String PUBLISHED_EVENT = "dev.polymux.plugin.published.v1";

    private final PluginVersionRepository plugins;
    private final ConnectorVersionRepository connectors;
    private final ManifestValidator validator;
    private final OutboxService outbox;
    private final RegistryConfig config;
    private final ObjectMapper mapper;

    public PluginPublishingService(PluginVersionRepository plugins, ConnectorVersionRepository connectors, ManifestValidator validator,
            OutboxService outbox, RegistryConfig config, ObjectMapper mapper) {
        this.plugins = plugins;
        this.connectors = connectors;
        this.validator = validator;
        this.outbox = outbox;
        this.config = config;
        this.mapper = mapper;
    }

    @WithTransaction
    public Uni<PluginVersion> publish(String tenant, String author, JsonNode submitted) {
        List<Problem.InvalidParam> problems = new ArrayList<>(validator.validatePlugin(submitted).stream()
                .map(v -> new Problem.InvalidParam(v.pointer(), v.message())).toList());
        if (!problems.isEmpty()) {
            throw invalid(problems);
        }
        ObjectNode manifest = submitted.deepCopy();
        String pluginId = manifest.path("id").asText();
        String version = manifest.path("version").asText();
        return plugins.ownerOf(pluginId).flatMap(owner -> {
            if (owner != null && !owner.equals(tenant)) {
                throw ProblemException.conflict("The plugin id '" + pluginId + "' belongs to another publisher; choose another id.");
            }
            return plugins.findVersion(pluginId, version);
        }).flatMap(existing -> {
            if (existing != null) {
                throw ProblemException.conflict("Plugin " + pluginId + " " + version + " is published already; a new version needs a new number.");
            }
            return pinConnectors(manifest);
        }).flatMap(pinned -> {
            if (!pinned.isEmpty()) {
                throw invalid(pinned);
            }
            PluginVersion plugin = new PluginVersion();
            plugin.pluginId = pluginId;
            plugin.setVersionNumber(version);
            plugin.label = manifest.path("label").asText();
            plugin.description = manifest.path("description").asText(null);
            plugin.manifest = manifest.toString();
            plugin.ownerTenant = tenant;
            plugin.author = author;
            plugin.publishedAt = Instant.now();
            return plugins.persist(plugin);
        }).call(this::announce);
    }

    @WithSession
    public Uni<PluginVersion> published(String pluginId, String version) {
        Uni<PluginVersion> found = version == null ? plugins.newest(pluginId) : plugins.findVersion(pluginId, version);
        return found.map(plugin -> {
            if (plugin == null) {
                throw ProblemException.notFound("The marketplace has no plugin " + pluginId + (version == null ? "" : " " + version) + ".");
            }
            return plugin;
        });
    }

    /** Resolves each entry that names a connector to an approved one of its kind and pins it; returns the problems found. */
    private Uni<List<Problem.InvalidParam>> pinConnectors(ObjectNode manifest) {
        List<Problem.InvalidParam> problems = new ArrayList<>();
        JsonNode connections = manifest.path("connections");
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < connections.size(); i++) {
            if (connections.get(i).has("connector")) {
                indexes.add(i);
            }
        }
        return Multi.createFrom().iterable(indexes).onItem().transformToUniAndConcatenate(i -> {
            ObjectNode entry = (ObjectNode) connections.get(i);
            String connectorId = entry.path("connector").asText();
            String pointer = "/connections/" + i;
            Uni<ConnectorVersion> found = entry.hasNonNull("connectorVersion")
                    ? connectors.findVersion(connectorId, entry.get("connectorVersion").asText())
                    : connectors.newestApproved(connectorId);
            return found.invoke(connector -> check(entry, pointer, connector, problems));
        }).collect().asList().map(ignored -> problems);
    }

    private void check(ObjectNode entry, String pointer, ConnectorVersion connector, List<Problem.InvalidParam> problems) {
        String connectorId = entry.path("connector").asText();
        if (connector == null || connector.reviewState() != ReviewState.APPROVED) {
            problems.add(new Problem.InvalidParam(pointer + "/connector", "'" + connectorId
                    + (entry.hasNonNull("connectorVersion") ? " " + entry.get("connectorVersion").asText() : "")
                    + "' is not an approved connector"));
            return;
        }
        if (!connector.kind.equals(entry.path("kind").asText())) {
            problems.add(new Problem.InvalidParam(pointer + "/kind", "connector '" + connectorId + "' is of kind " + connector.kind));
            return;
        }
        Set<String> declared = new HashSet<>();
        readTree(connector.manifest).path("auth").path("scopes").forEach(scope -> declared.add(scope.asText()));
        JsonNode scopes = entry.path("scopes");
        for (int s = 0; s < scopes.size(); s++) {
            if (!declared.contains(scopes.get(s).asText())) {
                problems.add(new Problem.InvalidParam(pointer + "/scopes/" + s,
                        "'" + scopes.get(s).asText() + "' is not a scope connector '" + connectorId + "' declares"));
            }
        }
        entry.put("connectorVersion", connector.version);
    }

    private Uni<Void> announce(PluginVersion plugin) {
        ObjectNode data = mapper.createObjectNode().put("pluginId", plugin.pluginId).put("version", plugin.version)
                .put("ownerTenant", plugin.ownerTenant);
        return outbox.enqueue(EventTopics.REGISTRY_EVENTS, plugin.pluginId,
                CloudEvent.create(config.eventSource(), PUBLISHED_EVENT, plugin.pluginId, data)).replaceWithVoid();
    }

    private static ProblemException invalid(List<Problem.InvalidParam> problems) {
        return ProblemException.invalid(problems.size() == 1 ? "The plugin manifest has one problem."
                : "The plugin manifest has " + problems.size() + " problems.", problems);
    }

    private JsonNode readTree(String json) {
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A stored manifest is not JSON", e);
        }
    }
}
