package dev.polymux.registry.connector.service;


import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.connector.builtin.InTreeManifests;
import dev.polymux.registry.config.RegistryConfig;
import dev.polymux.registry.connector.ConnectorVersion;
import dev.polymux.registry.listing.ReviewState;
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

    private static final Logger LOG = Logger.getLogger(InTreeConnectorSeeder.class);

    private final ConnectorVersionRepository repository;
    private final RegistryConfig config;

    public InTreeConnectorSeeder(ConnectorVersionRepository repository, RegistryConfig config) {
        this.repository = repository;
        this.config = config;
    }

    void onStart(@Observes StartupEvent start) throws Throwable {
        int seeded = VertxContextSupport.subscribeAndAwait(() -> Multi.createFrom().iterable(InTreeManifests.IDS)
                .onItem().transformToUniAndConcatenate(this::seed)
                .collect().asList()
                .map(results -> (int) results.stream().filter(Boolean::booleanValue).count()));
        LOG.infof("In-tree connectors: %d seeded, %d already in the catalog", seeded, InTreeManifests.IDS.size() - seeded);
    }

    private Uni<Boolean> seed(String connectorId) {
        JsonNode manifest = InTreeManifests.load(connectorId);
        String version = manifest.path("version").asText();
        return Panache.withTransaction(() -> repository.findVersion(connectorId, version).flatMap(existing -> {
            if (existing != null) {
                return Uni.createFrom().item(false);
            }
            ConnectorVersion seeded = ConnectorVersion.fromManifest(manifest, config.platformTenant(), "polymux", ReviewState.APPROVED);
            seeded.reviewer = "polymux";
            seeded.reviewNote = "In-tree connector, reviewed with the platform's code.";
            seeded.decidedAt = seeded.createdAt;
            return repository.persist(seeded).replaceWith(true);
        }));
    }
}
