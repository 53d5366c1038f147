package dev.polymux.registry.connector.service;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.registry.config.RegistryConfig;
import dev.polymux.registry.connector.ConnectorVersion;
import dev.polymux.registry.connector.ReviewState;
import dev.polymux.registry.connector.repository.ConnectorVersionRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Puts the in-tree connectors (shipped in the connectors module) into the catalog at start, approved and owned by the
 * platform tenant. Idempotent: a version already there is left as it is, so several replicas may start at once
 * (the unique key settles a race).
 */
@ApplicationScoped
public class InTreeConnectorSeeder {

    static final List<String> IN_TREE = List.of("github", "stripe", "google-drive", "mqtt");
    private static final Logger LOG = Logger.getLogger(InTreeConnectorSeeder.class);

    private final ConnectorVersionRepository repository;
    private final RegistryConfig config;
    private final ObjectMapper mapper;

    public InTreeConnectorSeeder(ConnectorVersionRepository repository, RegistryConfig config, ObjectMapper mapper) {
        this.repository = repository;
        this.config = config;
        this.mapper = mapper;
    }

    void onStart(@Observes StartupEvent start) throws Throwable {
        int seeded = VertxContextSupport.subscribeAndAwait(() -> Multi.createFrom().iterable(IN_TREE)
                .onItem().transformToUniAndConcatenate(this::seed)
                .collect().asList()
                .map(results -> (int) results.stream().filter(Boolean::booleanValue).count()));
        LOG.infof("In-tree connectors: %d seeded, %d already in the catalog", seeded, IN_TREE.size() - seeded);
    }

    private Uni<Boolean> seed(String connectorId) {
        JsonNode manifest = load(connectorId);
        String version = manifest.path("version").asText();
        return Panache.withTransaction(() -> repository.findVersion(connectorId, version).flatMap(existing -> {
            if (existing != null) {
                return Uni.createFrom().item(false);
            }
            ConnectorVersion seeded = new ConnectorVersion();
            seeded.connectorId = connectorId;
            seeded.setVersionNumber(version);
            seeded.kind = manifest.path("kind").asText();
            seeded.label = manifest.path("label").asText();
            seeded.description = manifest.path("description").asText(null);
            seeded.manifest = manifest.toString();
            seeded.state = ReviewState.APPROVED.value();
            seeded.ownerTenant = config.platformTenant();
            seeded.author = "polymux";
            seeded.reviewer = "polymux";
            seeded.reviewNote = "In-tree connector, reviewed with the platform's code.";
            seeded.createdAt = Instant.now();
            seeded.updatedAt = seeded.createdAt;
            seeded.decidedAt = seeded.createdAt;
            return repository.persist(seeded).replaceWith(true);
        }));
    }

    private JsonNode load(String connectorId) {
        try (InputStream in = InTreeConnectorSeeder.class.getResourceAsStream("/connectors/" + connectorId + "/manifest.json")) {
            return mapper.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("The " + connectorId + " manifest ships with the connectors module", e);
        }
    }
}
